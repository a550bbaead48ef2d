namespace Sluice.AI;

/// <summary>The limits of a <see cref="RateBudget"/>.</summary>
public sealed record RateBudgetOptions
{
    /// <summary>Gets the requests-per-minute limit, or <see langword="null"/> for none until one is learned from
    /// the provider's <c>x-ratelimit-limit-requests</c> header.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the tokens-per-minute limit, or <see langword="null"/> for none until one is learned from
    /// <c>x-ratelimit-limit-tokens</c>.</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Gets the seconds of budget one burst may spend.</summary>
    /// <value>Default 0.25.</value>
    public double BurstSeconds { get; init; } = 0.25;

    /// <summary>Gets the share of each limit to aim at (below 1 leaves room for network jitter).</summary>
    /// <value>Default 1.</value>
    public double Headroom { get; init; } = 1;

    /// <summary>Gets the share of its capacity a new budget starts with.</summary>
    /// <value>Default 0.5. A first burst's requests can reach the provider bunched together (new connections open at
    /// different speeds), so a half-full start keeps that burst inside the provider's own burst allowance. In [0, 1].</value>
    public double InitialFill { get; init; } = 0.5;

    /// <summary>Gets the most callers that may wait; beyond it an acquisition fails at once with a
    /// <c>RetryAfter</c> hint.</summary>
    /// <value>Default <see cref="int.MaxValue"/>.</value>
    public int QueueLimit { get; init; } = int.MaxValue;
}
