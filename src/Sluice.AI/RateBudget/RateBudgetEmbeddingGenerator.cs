using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>Takes each embedding attempt's cost (one request, the inputs' tokens) from a <see cref="RateBudget"/>,
/// settles it with the reported usage, and pauses the budget after a 429.</summary>
public sealed class RateBudgetEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BudgetGate _gate;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="budget">The budget, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="ledger">Counts 429s; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    public RateBudgetEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RateBudget budget, UsageLedger? ledger = null, TimeProvider? timeProvider = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _gate = new BudgetGate(budget, new TokenEstimator(), ledger, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values as IReadOnlyList<string> ?? values.ToList();
        int estimate = 0;
        foreach (string value in list)
        {
            estimate += TokenEstimator.CountTokens(value);
        }

        await _gate.AcquireAsync(estimate, cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _gate.OnFailure(ex);
            throw;
        }

        _gate.Settle(estimate, result.Usage?.InputTokenCount, null);
        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(RateBudget) ? _gate.Budget : base.GetService(serviceType, serviceKey);
}
