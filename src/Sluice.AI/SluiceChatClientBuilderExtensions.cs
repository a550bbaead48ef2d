using Microsoft.Extensions.AI;
using Polly;

namespace Sluice.AI;

/// <summary>
/// Adds Sluice's throughput layers to a <see cref="ChatClientBuilder"/>. <see cref="UseSluiceThroughput"/> adds all of
/// them in their required order, from the outside in: usage accounting → retry → rate budget → concurrency →
/// attempt timeout → the inner client. The single-layer methods exist for custom stacks.
/// </summary>
public static class SluiceChatClientBuilderExtensions
{
    /// <summary>Adds the whole throughput stack, drawing budget and concurrency from <paramref name="lane"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The provider lane whose budget, limit and estimator to use.</param>
    /// <param name="options">Attempts, delays, timeout and clock; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceThroughput(this ChatClientBuilder builder, ProviderLane lane, SluiceClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(lane);
        options = (options ?? new SluiceClientOptions()).Validate();
        var ledger = new UsageLedger();
        return builder
            .UseSluiceUsage(ledger)
            .UseSluiceRetry(RetryPipeline.Create(options, ledger))
            .UseSluiceRateBudget(lane.Budget, lane.Estimator, ledger, options.TimeProvider)
            .UseSluiceConcurrency(lane.Concurrency, ledger, options.TimeProvider)
            .UseSluiceAttemptTimeout(options.AttemptTimeout, options.TimeProvider);
    }

    /// <summary>Adds usage accounting into <paramref name="ledger"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="ledger">Receives the counts.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceUsage(this ChatClientBuilder builder, UsageLedger ledger) =>
        builder.Use(inner => new UsageChatClient(inner, ledger));

    /// <summary>Adds retries through <paramref name="pipeline"/> (see <see cref="RetryPipeline.Create"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="pipeline">The retry pipeline.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceRetry(this ChatClientBuilder builder, ResiliencePipeline pipeline) =>
        builder.Use(inner => new RetryChatClient(inner, pipeline));

    /// <summary>Adds the rate budget layer.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="budget">The budget.</param>
    /// <param name="estimator">The token estimator.</param>
    /// <param name="ledger">Counts 429s; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceRateBudget(this ChatClientBuilder builder, RateBudget budget, TokenEstimator estimator, UsageLedger? ledger = null, TimeProvider? timeProvider = null) =>
        builder.Use(inner => new RateBudgetChatClient(inner, budget, estimator, ledger, timeProvider));

    /// <summary>Adds the concurrency layer.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="limit">The limit (fixed or adaptive).</param>
    /// <param name="ledger">Counts attempts; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceConcurrency(this ChatClientBuilder builder, ConcurrencyLimit limit, UsageLedger? ledger = null, TimeProvider? timeProvider = null) =>
        builder.Use(inner => new ConcurrencyChatClient(inner, limit, ledger, timeProvider));

    /// <summary>Adds the per-attempt timeout.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="timeout">The longest an attempt may take.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseSluiceAttemptTimeout(this ChatClientBuilder builder, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return builder.Use(inner => new AttemptTimeoutChatClient(inner, timeout, timeProvider));
    }
}
