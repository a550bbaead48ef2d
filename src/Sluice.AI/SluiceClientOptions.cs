namespace Sluice.AI;

/// <summary>
/// How a Sluice client talks to a provider: retries, the rate budget, concurrency and the attempt timeout.
/// Validated when a client is built; an invalid value throws an exception that names the option.
/// </summary>
public sealed record SluiceClientOptions
{
    /// <summary>Gets the most attempts per call, the first included.</summary>
    /// <value>Default 6. Must be at least 1 (1 = no retries).</value>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Gets the requests-per-minute budget, or <see langword="null"/> to learn it from the provider's
    /// <c>x-ratelimit-limit-requests</c> header (unlimited until then).</summary>
    /// <value>Default <see langword="null"/>. Must be positive when set.</value>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the tokens-per-minute budget, or <see langword="null"/> to learn it from <c>x-ratelimit-limit-tokens</c>.</summary>
    /// <value>Default <see langword="null"/>. Must be positive when set.</value>
    public int? TokensPerMinute { get; init; }

    /// <summary>Gets how many seconds of budget may be spent in one burst: each budget holds at most
    /// <c>limit ÷ 60 × BurstSeconds</c> and refills continuously.</summary>
    /// <value>Default 0.25: requests are spread evenly. Providers enforce per-minute limits over short windows (OpenAI:
    /// about a second), and requests sent in one burst can reach them bunched with the next ones (connection set-up,
    /// thread pool stalls), so Sluice's own burst is kept to a fraction of such a window. Must be positive.</value>
    public double BurstSeconds { get; init; } = 0.25;

    /// <summary>Gets the share of each per-minute limit Sluice aims at. Below 1, network jitter between client and
    /// provider can never push a request over the provider's limit.</summary>
    /// <value>Default 0.97. In (0, 1].</value>
    public double RateHeadroom { get; init; } = 0.97;

    /// <summary>Gets a fixed concurrency limit, or <see langword="null"/> for an adaptive one
    /// (AIMD on overload plus a latency gradient; see <see cref="Adaptive"/>).</summary>
    /// <value>Default <see langword="null"/> (adaptive). Must be positive when set.</value>
    public int? MaxConcurrency { get; init; }

    /// <summary>Gets the bounds and tuning of the adaptive concurrency limit.</summary>
    public AdaptiveConcurrencyOptions Adaptive { get; init; } = new();

    /// <summary>Gets the longest one attempt may take; waiting for budget or a slot does not count.</summary>
    /// <value>Default 60 s. Must be positive.</value>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the first retry delay; later ones grow exponentially, with jitter.</summary>
    /// <value>Default 500 ms. Must not be negative.</value>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the longest retry delay, also the cap on a provider's <c>Retry-After</c>.</summary>
    /// <value>Default 30 s. Must not be negative.</value>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the output tokens assumed for a chat call with no <c>MaxOutputTokens</c> before enough
    /// replies have been seen to use their 95th percentile.</summary>
    /// <value>Default 256. Must be positive.</value>
    public int DefaultOutputTokens { get; init; } = 256;

    /// <summary>Gets the clock for budgets, delays and timeouts.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets an <see cref="System.Net.Http.HttpClient"/> for the OpenAI-compatible factory to send through
    /// (a proxy, a recording handler), or <see langword="null"/> for a shared default.</summary>
    public HttpClient? HttpClient { get; init; }

    internal SluiceClientOptions Validate()
    {
        Require(MaxAttempts >= 1, nameof(MaxAttempts), MaxAttempts, "at least 1");
        Require(RequestsPerMinute is null or > 0, nameof(RequestsPerMinute), RequestsPerMinute, "positive or null");
        Require(TokensPerMinute is null or > 0, nameof(TokensPerMinute), TokensPerMinute, "positive or null");
        Require(BurstSeconds > 0 && double.IsFinite(BurstSeconds), nameof(BurstSeconds), BurstSeconds, "positive");
        Require(RateHeadroom is > 0 and <= 1, nameof(RateHeadroom), RateHeadroom, "in (0, 1]");
        Require(MaxConcurrency is null or > 0, nameof(MaxConcurrency), MaxConcurrency, "positive or null");
        Require(AttemptTimeout > TimeSpan.Zero, nameof(AttemptTimeout), AttemptTimeout, "positive");
        Require(BaseRetryDelay >= TimeSpan.Zero, nameof(BaseRetryDelay), BaseRetryDelay, "zero or more");
        Require(MaxRetryDelay >= TimeSpan.Zero, nameof(MaxRetryDelay), MaxRetryDelay, "zero or more");
        Require(DefaultOutputTokens > 0, nameof(DefaultOutputTokens), DefaultOutputTokens, "positive");
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(Adaptive, nameof(Adaptive));
        Adaptive.Validate();
        return this;
    }

    internal static void Require(bool valid, string name, object? value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, $"SluiceClientOptions.{name} must be {expected}; it was {value ?? "null"}.");
        }
    }
}
