using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The outermost embedding layer: counts calls and reported input tokens into a <see cref="UsageLedger"/>.</summary>
public sealed class UsageEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, UsageLedger ledger)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            ledger.RecordTokens(embeddings.Usage?.InputTokenCount, null);
            ledger.RecordCall(true);
            return embeddings;
        }
        catch
        {
            ledger.RecordCall(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(UsageLedger) ? ledger : base.GetService(serviceType, serviceKey);
}
