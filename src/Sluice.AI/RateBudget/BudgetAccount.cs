using System.Threading.RateLimiting;

namespace Sluice.AI;

/// <summary>What the chat and embedding budget layers share: drawing a call's estimated cost, settling it with the
/// reported usage, and reacting to a 429. This is the one place where a 429 pauses a budget.</summary>
internal sealed class BudgetAccount(RateBudget budget, TokenEstimator estimator, UsageLedger? ledger, TimeProvider time, TimeSpan maxPause)
{
    public RateBudget Budget => budget;

    /// <summary>A chat call's estimated tokens (prompt; cap or expected output), or none when the budget does not limit
    /// tokens (no tokenizer is loaded then).</summary>
    public TokenCost EstimateChat(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options) =>
        budget.BudgetsTokens ? new TokenCost(TokenEstimator.CountPrompt(messages), estimator.ExpectedOutput(options)) : default;

    /// <summary>An embedding call's tokens (all input), or none when the budget does not limit tokens.</summary>
    public TokenCost EstimateEmbedding(IReadOnlyList<string> values)
    {
        if (!budget.BudgetsTokens)
        {
            return default;
        }

        long estimate = 0;
        foreach (string value in values)
        {
            estimate += TokenEstimator.CountTokens(value);
        }

        return new TokenCost(estimate, 0);
    }

    /// <summary>A raw request body's estimated tokens and the output cap it reserves (see
    /// <see cref="TokenEstimator.CountRequest(ReadOnlySpan{byte})"/>), or none when the budget does not limit tokens.</summary>
    public (TokenCost Estimate, int? ReservedOutput) EstimateRequest(ReadOnlySpan<byte> body)
    {
        if (!budget.BudgetsTokens)
        {
            return (default, null);
        }

        var count = TokenEstimator.CountRequest(body);
        return count.IsEmbedding
            ? (new TokenCost(count.InputTokens, 0), null)
            : (new TokenCost(count.InputTokens, count.MaxOutputTokens ?? estimator.ExpectedOutput(null)), count.MaxOutputTokens);
    }

    public async ValueTask DrawAsync(TokenCost estimate, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        using RateLimitLease lease = await budget.AcquireAsync(estimate, cancellationToken).ConfigureAwait(false);
        TimeSpan waited = time.GetElapsedTime(started);
        AiMetrics.Waited(waited, "budget");
        SlotWait.Current?.Add(waited); // inside a slot: not the provider's latency
        if (!lease.IsAcquired)
        {
            TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
            throw new RateLimitRejectedException(retryAfter);
        }
    }

    /// <summary>Settles the estimate with the reported usage. Providers charge a requested output cap
    /// (<paramref name="reservedOutput"/>, i.e. <c>max_tokens</c>) in full against tokens per minute, so when one was
    /// set it counts instead of the output actually produced.</summary>
    public void Settle(TokenCost estimate, long? inputTokens, long? outputTokens, int? reservedOutput = null)
    {
        if (outputTokens is { } output)
        {
            estimator.ObserveOutput(output);
        }

        if (inputTokens is not null || outputTokens is not null)
        {
            budget.Reconcile(estimate, new TokenCost(inputTokens ?? 0, reservedOutput ?? outputTokens ?? 0));
        }
    }

    /// <summary>After a failed attempt: a 429 is counted, and one that waiting can cure holds every caller of the
    /// budget until the provider's Retry-After (1 s when it did not say; at most the retry's <c>MaxDelay</c>) — whatever client raised it: the OpenAI SDK's
    /// <see cref="System.ClientModel.ClientResultException"/>, an <see cref="HttpRequestException"/>, or any exception
    /// wrapping one. An exhausted quota (<c>insufficient_quota</c>, <c>x-should-retry: false</c>) never pauses: every
    /// call fails at once with the provider's message instead of waiting for nothing.</summary>
    public void OnFailure(Exception error)
    {
        if (!FailureClassifier.IsTooManyRequests(error))
        {
            return;
        }

        AiMetrics.TooManyRequests(ledger);
        if (FailureClassifier.Classify(error) == FailureKind.Overloaded)
        {
            TimeSpan pause = FailureClassifier.RetryAfter(error, time.GetUtcNow()) ?? TimeSpan.FromSeconds(1);
            budget.PauseFor(pause > maxPause ? maxPause : pause); // as long as the retry waits, never longer
        }
    }
}
