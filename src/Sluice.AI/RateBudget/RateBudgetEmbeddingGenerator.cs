using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>Takes each embedding attempt's cost (one request, the inputs' tokens) from a <see cref="RateBudget"/>,
/// settles it with the reported usage, and pauses the budget after a 429.</summary>
public sealed class RateBudgetEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BudgetAccount _account;

    /// <summary>Creates the layer.</summary>
    /// <param name="inner">The layer inside.</param>
    /// <param name="budget">The budget, usually a <see cref="ProviderLane"/>'s.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RateBudgetEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RateBudget budget, TimeProvider? timeProvider = null)
        : this(inner, budget, null, timeProvider, SluiceRetryOptions.DefaultMaxDelay)
    {
    }

    internal RateBudgetEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RateBudget budget, UsageLedger? ledger, TimeProvider? timeProvider, TimeSpan maxPause)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _account = new BudgetAccount(budget, new TokenEstimator(), ledger, timeProvider ?? TimeProvider.System, maxPause);
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values as IReadOnlyList<string> ?? values.ToList();
        var estimate = _account.EstimateEmbedding(list);
        await _account.DrawAsync(estimate, cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _account.OnFailure(ex);
            throw;
        }

        _account.Settle(estimate, result.Usage?.InputTokenCount, null);
        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(_account.Budget) ? _account.Budget : base.GetService(serviceType, serviceKey);
}
