using System.Threading.RateLimiting;

namespace Sluice.AI;

/// <summary>
/// What the rate-budget layer talks to: a <see cref="RateLimiter"/> whose permits are a request's estimated tokens,
/// settled afterwards against the provider's reported usage, paused by a 429, and taught by the provider's
/// <c>x-ratelimit-*</c> headers. <see cref="LocalRateBudget"/> keeps the budget in this process; a budget shared by
/// several processes (a cluster, Redis) derives from this class.
/// </summary>
/// <remarks>An acquisition is one request; its permit count is the request's estimated token cost (0 when tokens are
/// not budgeted). Implementations must be thread-safe and serve waiters first come, first served.</remarks>
public abstract class RateBudget : RateLimiter
{
    /// <summary>Gets whether this budget limits tokens now. When it does not, the budget layer sends each request with a
    /// cost of 0 tokens and never loads a tokenizer to estimate one (a client with no tokens-per-minute limit saves the
    /// tokenizer's memory and time).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public virtual bool BudgetsTokens => true;

    /// <summary>Gets a consistent snapshot of the budget's state and its reconciliation totals.</summary>
    public abstract RateBudgetSnapshot Snapshot { get; }

    /// <summary>Settles a call: its <paramref name="estimatedTokens"/> were taken before it was sent; the provider
    /// reported <paramref name="actualTokens"/>. The difference is refunded or debited.</summary>
    /// <param name="estimatedTokens">What was acquired for the call.</param>
    /// <param name="actualTokens">What the provider reported (input plus output tokens).</param>
    public abstract void Reconcile(long estimatedTokens, long actualTokens);

    /// <summary>Acquires a request's permit with its estimated input and output tokens apart, for providers that limit
    /// them apart. The default takes their sum as the permit count.</summary>
    /// <param name="cost">The request's estimated tokens (output: its cap, or the expected output).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; not acquired when the queue is full.</returns>
    public virtual ValueTask<RateLimitLease> AcquireAsync(TokenCost cost, CancellationToken cancellationToken = default) =>
        AcquireAsync((int)Math.Clamp(cost.Total, 0, int.MaxValue), cancellationToken);

    /// <summary>Settles a call with its estimate and its reported usage, input and output apart. The default settles
    /// their sums.</summary>
    /// <param name="estimated">What was acquired for the call.</param>
    /// <param name="actual">What the provider reported (output: the requested cap when one was set).</param>
    public virtual void Reconcile(TokenCost estimated, TokenCost actual) => Reconcile(estimated.Total, actual.Total);

    /// <summary>Holds every caller of this budget until <paramref name="retryAfter"/> has passed (after a 429).</summary>
    /// <param name="retryAfter">How long the provider asked to wait.</param>
    public abstract void PauseFor(TimeSpan retryAfter);

    /// <summary>Learns from the provider's rate-limit headers: adopts its limits when none were configured and never
    /// lets a balance exceed what the provider says remains.</summary>
    /// <param name="headers">The parsed headers of one response.</param>
    public abstract void Observe(RateLimitHeaders headers);
}
