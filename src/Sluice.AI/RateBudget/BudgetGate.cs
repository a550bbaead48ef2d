using System.Threading.RateLimiting;

namespace Sluice.AI;

/// <summary>What the chat and embedding budget layers share: acquiring, settling, and reacting to a 429.</summary>
internal sealed class BudgetGate(RateBudget budget, TokenEstimator estimator, UsageLedger? ledger, TimeProvider time)
{
    public RateBudget Budget => budget;

    public TokenEstimator Estimator => estimator;

    public async ValueTask AcquireAsync(int estimatedTokens, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        using RateLimitLease lease = await budget.AcquireAsync(Math.Max(0, estimatedTokens), cancellationToken).ConfigureAwait(false);
        AiMetrics.QueueWait.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("stage", "budget"));
        if (!lease.IsAcquired)
        {
            TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
            throw new RateLimitRejectedException(retryAfter);
        }
    }

    /// <summary>Settles the estimate with the reported usage. Providers charge a requested output cap
    /// (<paramref name="reservedOutput"/>, i.e. <c>max_tokens</c>) in full against tokens per minute, so when one was
    /// set it counts instead of the output actually produced.</summary>
    public void Settle(int estimatedTokens, long? inputTokens, long? outputTokens, int? reservedOutput = null)
    {
        if (outputTokens is { } output)
        {
            estimator.ObserveOutput(output);
        }

        if (inputTokens is not null || outputTokens is not null)
        {
            long charged = (inputTokens ?? 0) + (reservedOutput ?? outputTokens ?? 0);
            budget.Reconcile(estimatedTokens, charged);
        }
    }

    /// <summary>After a 429: counts it and holds every caller of the budget until the provider's Retry-After. For the
    /// OpenAI SDK's <see cref="System.ClientModel.ClientResultException"/> the pause was already set the moment the
    /// response arrived (<see cref="RateLimitHeaderPolicy"/>); any other client's 429 pauses the budget here, unless
    /// waiting cannot cure it (an exhausted quota).</summary>
    public void OnFailure(Exception error)
    {
        if (!FailureClassifier.IsTooManyRequests(error))
        {
            return;
        }

        ledger?.RecordRateLimited();
        if (error is not System.ClientModel.ClientResultException
            && FailureClassifier.Classify(error) == FailureKind.Overloaded) // a quota 429 is not cured by waiting
        {
            budget.PauseFor(FailureClassifier.RetryAfter(error, time.GetUtcNow()) ?? TimeSpan.FromSeconds(1));
        }
    }
}
