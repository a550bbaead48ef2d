using Microsoft.Extensions.AI;
using Polly;

namespace Sluice.AI;

/// <summary>
/// Adds Sluice's throughput layers to a <see cref="ChatClientBuilder"/>. <see cref="UseSluiceThroughput(ChatClientBuilder, ProviderLane?, Action{SluiceClientOptions}?)"/> adds all of
/// them in their required order, from the outside in: usage accounting → retry → concurrency → rate budget →
/// attempt timeout → the inner client. The single-layer doors build custom stacks; each layer reports to the
/// <c>Sluice</c> meter by itself, and takes its clock from the builder's services (a registered
/// <see cref="TimeProvider"/>), else <see cref="TimeProvider.System"/>.
/// </summary>
public static class SluiceChatClientBuilderExtensions
{
    /// <summary>Adds the whole throughput stack.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The lane whose budget, limit and estimator to use; <see langword="null"/> for a lane of this
    /// client's own, opened from the options.</param>
    /// <param name="configure">Changes the default <see cref="SluiceClientOptions"/> (retries, timeout, clock, and the
    /// budget and limit of a lane of the client's own).</param>
    /// <returns>The builder. The built client answers <c>GetService</c> for <see cref="UsageLedger"/>,
    /// <see cref="RateBudget"/> and <see cref="ConcurrencyLimit"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ChatClientBuilder UseSluiceThroughput(this ChatClientBuilder builder, ProviderLane? lane = null, Action<SluiceClientOptions>? configure = null)
    {
        var options = new SluiceClientOptions();
        configure?.Invoke(options);
        return AddThroughputLayers(builder, lane, options);
    }

    internal static ChatClientBuilder AddThroughputLayers(ChatClientBuilder builder, ProviderLane? lane, SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var parts = ThroughputParts.Create(lane, options);
        return builder
            .Use(inner => new UsageChatClient(inner, parts.Ledger))
            .Use(inner => new RetryChatClient(inner, parts.Retry))
            .Use(inner => new ConcurrencyChatClient(inner, parts.Lane.Concurrency, parts.Ledger, parts.Time))
            .Use(inner => new RateBudgetChatClient(inner, parts.Lane.Budget, parts.Lane.Estimator, parts.Ledger, parts.Time, parts.MaxPause))
            .Use(inner => new AttemptTimeoutChatClient(inner, parts.Timeout, parts.Time));
    }

    /// <summary>Adds usage accounting: calls and the tokens the provider reported.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="ledger">Receives the counts; a new one when <see langword="null"/> (the client's
    /// <c>GetService&lt;UsageLedger&gt;()</c> returns it).</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceUsage(this ChatClientBuilder builder, UsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new UsageChatClient(inner, ledger ?? new UsageLedger()));
    }

    /// <summary>Adds retries with Sluice's rules (see <see cref="SluiceRetryResiliencePipelineBuilderExtensions.AddSluiceRetry(Polly.ResiliencePipelineBuilder, SluiceRetryOptions?)"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="SluiceRetryOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ChatClientBuilder UseSluiceRetry(this ChatClientBuilder builder, Action<SluiceRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Configured(configure);
        return builder.Use((inner, services) => new RetryChatClient(inner, SluiceRetryResiliencePipelineBuilderExtensions.CreatePipeline(options, services.Clock(), null)));
    }

    /// <summary>Adds retries through a pipeline of the caller's (for example one built with
    /// <see cref="SluiceRetryResiliencePipelineBuilderExtensions.AddSluiceRetry(Polly.ResiliencePipelineBuilder, SluiceRetryOptions?)"/> plus strategies of its own).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="pipeline">The pipeline each call runs through.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceRetry(this ChatClientBuilder builder, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pipeline);
        return builder.Use(inner => new RetryChatClient(inner, pipeline));
    }

    /// <summary>Adds the rate budget layer, drawing from a lane's budget and estimator.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The lane.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceRateBudget(this ChatClientBuilder builder, ProviderLane lane)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(lane);
        return builder.Use((inner, services) => new RateBudgetChatClient(inner, lane.Budget, lane.Estimator, services.Clock()));
    }

    /// <summary>Adds the rate budget layer with a budget of this client's own.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="RateBudgetOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ChatClientBuilder UseSluiceRateBudget(this ChatClientBuilder builder, Action<RateBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Configured(configure);
        return builder.Use((inner, services) =>
            new RateBudgetChatClient(inner, new LocalRateBudget(options, services.Clock()), new TokenEstimator(options.DefaultOutputTokens), services.Clock()));
    }

    /// <summary>Adds the concurrency layer over a limit the caller shares (a lane's, or any <see cref="ConcurrencyLimit"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="limit">The limit.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceConcurrency(this ChatClientBuilder builder, ConcurrencyLimit limit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(limit);
        return builder.Use((inner, services) => new ConcurrencyChatClient(inner, limit, services.Clock()));
    }

    /// <summary>Adds the concurrency layer with a limit of this client's own (adaptive unless a fixed one is set).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="ConcurrencyOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ChatClientBuilder UseSluiceConcurrency(this ChatClientBuilder builder, Action<ConcurrencyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Configured(configure);
        return builder.Use((inner, services) => new ConcurrencyChatClient(inner, options.CreateLimit(services.Clock()), services.Clock()));
    }

    /// <summary>Adds the per-attempt timeout.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="AttemptTimeoutOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ChatClientBuilder UseSluiceAttemptTimeout(this ChatClientBuilder builder, Action<AttemptTimeoutOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TimeSpan timeout = Configured(configure).Timeout;
        return builder.Use((inner, services) => new AttemptTimeoutChatClient(inner, timeout, services.Clock()));
    }

    /// <summary>Creates options, lets the caller change them, and checks them now, so a bad value fails where it was set.</summary>
    internal static TOptions Configured<TOptions>(Action<TOptions>? configure)
        where TOptions : ICheckedOptions, new()
    {
        var options = new TOptions();
        configure?.Invoke(options);
        options.Check();
        return options;
    }

    /// <summary>The clock a single-layer door uses: the builder's registered <see cref="TimeProvider"/>, else the system's.</summary>
    internal static TimeProvider Clock(this IServiceProvider services) =>
        services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
}
