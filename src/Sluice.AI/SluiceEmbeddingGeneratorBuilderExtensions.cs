using Microsoft.Extensions.AI;
using Polly;

namespace Sluice.AI;

/// <summary>Adds Sluice's throughput layers to an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>: the same
/// layers, order and doors as <see cref="SluiceChatClientBuilderExtensions"/> for chat.</summary>
public static class SluiceEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds the whole throughput stack.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The lane whose budget and limit to use; <see langword="null"/> for a lane of this generator's
    /// own, opened from the options.</param>
    /// <param name="configure">Changes the default <see cref="SluiceClientOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceThroughput(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ProviderLane? lane = null, Action<SluiceClientOptions>? configure = null)
    {
        var options = new SluiceClientOptions();
        configure?.Invoke(options);
        return AddThroughputLayers(builder, lane, options);
    }

    internal static EmbeddingGeneratorBuilder<string, Embedding<float>> AddThroughputLayers(
        EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ProviderLane? lane, SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var parts = ThroughputParts.Create(lane, options);
        return builder
            .Use(inner => new UsageEmbeddingGenerator(inner, parts.Ledger))
            .Use(inner => new RetryEmbeddingGenerator(inner, parts.Retry))
            .Use(inner => new ConcurrencyEmbeddingGenerator(inner, parts.Lane.Concurrency, parts.Ledger, parts.Time))
            .Use(inner => new RateBudgetEmbeddingGenerator(inner, parts.Lane.Budget, parts.Ledger, parts.Time, parts.MaxPause))
            .Use(inner => new AttemptTimeoutEmbeddingGenerator(inner, parts.Timeout, parts.Time));
    }

    /// <summary>Adds usage accounting: calls and the input tokens the provider reported.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="ledger">Receives the counts; a new one when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceUsage(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, UsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new UsageEmbeddingGenerator(inner, ledger ?? new UsageLedger()));
    }

    /// <summary>Adds retries with Sluice's rules.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="SluiceRetryOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceRetry(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<SluiceRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = SluiceChatClientBuilderExtensions.Configured(configure);
        return builder.Use((inner, services) => new RetryEmbeddingGenerator(inner, SluiceRetryResiliencePipelineBuilderExtensions.CreatePipeline(options, services.Clock(), null)));
    }

    /// <summary>Adds retries through a pipeline of the caller's.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="pipeline">The pipeline each call runs through.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceRetry(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pipeline);
        return builder.Use(inner => new RetryEmbeddingGenerator(inner, pipeline));
    }

    /// <summary>Adds the rate budget layer, drawing from a lane's budget.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The lane.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceRateBudget(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ProviderLane lane)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(lane);
        return builder.Use((inner, services) => new RateBudgetEmbeddingGenerator(inner, lane.Budget, services.Clock()));
    }

    /// <summary>Adds the rate budget layer with a budget of this generator's own.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="RateBudgetOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceRateBudget(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<RateBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = SluiceChatClientBuilderExtensions.Configured(configure);
        return builder.Use((inner, services) => new RateBudgetEmbeddingGenerator(inner, new LocalRateBudget(options, services.Clock()), services.Clock()));
    }

    /// <summary>Adds the concurrency layer over a limit the caller shares.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="limit">The limit.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceConcurrency(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ConcurrencyLimit limit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(limit);
        return builder.Use((inner, services) => new ConcurrencyEmbeddingGenerator(inner, limit, services.Clock()));
    }

    /// <summary>Adds the concurrency layer with a limit of this generator's own.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="ConcurrencyOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceConcurrency(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<ConcurrencyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = SluiceChatClientBuilderExtensions.Configured(configure);
        return builder.Use((inner, services) => new ConcurrencyEmbeddingGenerator(inner, options.CreateLimit(services.Clock()), services.Clock()));
    }

    /// <summary>Adds the per-attempt timeout.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="AttemptTimeoutOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceAttemptTimeout(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<AttemptTimeoutOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TimeSpan timeout = SluiceChatClientBuilderExtensions.Configured(configure).Timeout;
        return builder.Use((inner, services) => new AttemptTimeoutEmbeddingGenerator(inner, timeout, services.Clock()));
    }
}
