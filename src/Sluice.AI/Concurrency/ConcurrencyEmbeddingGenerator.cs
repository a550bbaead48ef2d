using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>Holds a slot of a <see cref="ConcurrencyLimit"/> for exactly the duration of each embedding attempt.</summary>
public sealed class ConcurrencyEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrencySlot _slot;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="limit">The limit, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public ConcurrencyEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ConcurrencyLimit limit, TimeProvider? timeProvider = null)
        : this(inner, limit, null, timeProvider)
    {
    }

    internal ConcurrencyEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ConcurrencyLimit limit, UsageLedger? ledger, TimeProvider? timeProvider)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(limit);
        _slot = new ConcurrencySlot(limit, ledger, timeProvider ?? TimeProvider.System, "embedding");
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        var wait = SlotWait.Open();
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _slot.Failed(started, wait, ex, cancellationToken);
            throw;
        }

        _slot.Succeeded(started, wait, null);
        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_slot.Limit) ? _slot.Limit : base.GetService(serviceType, serviceKey);
}
