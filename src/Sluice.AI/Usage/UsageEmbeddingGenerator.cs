using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The outermost embedding layer: counts calls and reported input tokens into a <see cref="UsageLedger"/>
/// (and the <c>Sluice</c> meter).</summary>
public sealed class UsageEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly UsageLedger _ledger;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="ledger">Receives the counts.</param>
    public UsageEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, UsageLedger ledger)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            AiMetrics.Tokens(_ledger, embeddings.Usage?.InputTokenCount, null);
            _ledger.CountCall(true);
            return embeddings;
        }
        catch
        {
            _ledger.CountCall(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(UsageLedger) ? _ledger : base.GetService(serviceType, serviceKey);
}
