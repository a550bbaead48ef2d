using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>Adds Sluice's throughput layers to an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>, in the
/// same order as for chat: usage → retry → rate budget → concurrency → attempt timeout → inner generator.</summary>
public static class SluiceEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds the whole throughput stack, drawing budget and concurrency from <paramref name="lane"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="lane">The provider lane whose budget and limit to use.</param>
    /// <param name="options">Attempts, delays, timeout and clock; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceThroughput(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, ProviderLane lane, SluiceClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(lane);
        options = (options ?? new SluiceClientOptions()).Validate();
        var ledger = new UsageLedger();
        var retry = RetryPipeline.Create(options, ledger);
        return builder
            .Use(inner => new UsageEmbeddingGenerator(inner, ledger))
            .Use(inner => new RetryEmbeddingGenerator(inner, retry))
            .Use(inner => new RateBudgetEmbeddingGenerator(inner, lane.Budget, ledger, options.TimeProvider))
            .Use(inner => new ConcurrencyEmbeddingGenerator(inner, lane.Concurrency, ledger, options.TimeProvider))
            .Use(inner => new AttemptTimeoutEmbeddingGenerator(inner, options.AttemptTimeout, options.TimeProvider));
    }
}
