namespace Sluice.AI;

/// <summary>The limits of a <see cref="LocalRateBudget"/> and how the budget layer estimates a call's cost.</summary>
public sealed class RateBudgetOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets the requests-per-minute limit, or <see langword="null"/> for none until one is learned
    /// from the provider's <c>x-ratelimit-limit-requests</c> header.</summary>
    /// <value>Default <see langword="null"/>. Positive when set.</value>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Gets or sets the tokens-per-minute limit, or <see langword="null"/> for none until one is learned from
    /// <c>x-ratelimit-limit-tokens</c>.</summary>
    /// <value>Default <see langword="null"/>. Positive when set.</value>
    public int? TokensPerMinute { get; set; }

    /// <summary>Gets or sets the input-tokens-per-minute limit, for providers that limit input and output apart
    /// (Anthropic's ITPM), or <see langword="null"/> for none.</summary>
    /// <value>Default <see langword="null"/>. Positive when set.</value>
    public int? InputTokensPerMinute { get; set; }

    /// <summary>Gets or sets the output-tokens-per-minute limit (Anthropic's OTPM), or <see langword="null"/> for none.
    /// A request's output counts at its cap (<c>max_tokens</c>) when it sets one, else at the expected output.</summary>
    /// <value>Default <see langword="null"/>. Positive when set.</value>
    public int? OutputTokensPerMinute { get; set; }

    /// <summary>Gets or sets how many seconds of budget one burst may spend: a budget holds at most
    /// <c>limit ÷ 60 × BurstSeconds</c> and refills continuously (the tokens budget holds at least one second).</summary>
    /// <value>Default 0.25: requests are spread evenly. Providers enforce per-minute limits over short windows (OpenAI:
    /// about a second), and requests sent in one burst can reach them bunched with the next ones (connection set-up,
    /// thread pool stalls), so Sluice's own burst is kept to a fraction of such a window. Positive.</value>
    public double BurstSeconds { get; set; } = 0.25;

    /// <summary>Gets or sets the share of each per-minute limit to aim at. Below 1, network jitter between client and
    /// provider can never push a request over the provider's limit.</summary>
    /// <value>Default 0.97. In (0, 1].</value>
    public double Headroom { get; set; } = 0.97;

    /// <summary>Gets or sets the share of its capacity a new budget starts with.</summary>
    /// <value>Default 0.5. A first burst's requests can reach the provider bunched together (new connections open at
    /// different speeds), so a half-full start keeps that burst inside the provider's own burst allowance. In [0, 1].</value>
    public double InitialFill { get; set; } = 0.5;

    /// <summary>Gets or sets the most callers that may wait; beyond it an acquisition fails at once with a
    /// <c>RetryAfter</c> hint.</summary>
    /// <value>Default <see cref="int.MaxValue"/>. Zero or more.</value>
    public int QueueLimit { get; set; } = int.MaxValue;

    /// <summary>Gets or sets the output tokens assumed for a chat call with no <c>MaxOutputTokens</c> before enough
    /// replies have been seen to use their 95th percentile.</summary>
    /// <value>Default 256. Positive.</value>
    public int DefaultOutputTokens { get; set; } = 256;

    /// <summary>Gets or sets where the lane's limits are shared with other processes: a lane opened with a leaser
    /// gets a <see cref="SharedRateBudget"/> that holds a leased share of the limits (the cluster's budget grain, a
    /// Redis server) instead of a <see cref="LocalRateBudget"/> that assumes it is alone.</summary>
    /// <value>Default <see langword="null"/>: this process is the only one sending with the key.</value>
    public CapacityLeaser? Leaser { get; set; }

    internal RateBudgetOptions Clone() => (RateBudgetOptions)MemberwiseClone();

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(RateBudgetOptions))
    {
        OptionsCheck.Require(RequestsPerMinute is null or > 0, path, nameof(RequestsPerMinute), RequestsPerMinute, "positive or null");
        OptionsCheck.Require(TokensPerMinute is null or > 0, path, nameof(TokensPerMinute), TokensPerMinute, "positive or null");
        OptionsCheck.Require(InputTokensPerMinute is null or > 0, path, nameof(InputTokensPerMinute), InputTokensPerMinute, "positive or null");
        OptionsCheck.Require(OutputTokensPerMinute is null or > 0, path, nameof(OutputTokensPerMinute), OutputTokensPerMinute, "positive or null");
        OptionsCheck.Require(BurstSeconds > 0 && double.IsFinite(BurstSeconds), path, nameof(BurstSeconds), BurstSeconds, "positive");
        OptionsCheck.Require(Headroom is > 0 and <= 1, path, nameof(Headroom), Headroom, "in (0, 1]");
        OptionsCheck.Require(InitialFill is >= 0 and <= 1, path, nameof(InitialFill), InitialFill, "in [0, 1]");
        OptionsCheck.Require(QueueLimit >= 0, path, nameof(QueueLimit), QueueLimit, "zero or more");
        OptionsCheck.Require(DefaultOutputTokens > 0, path, nameof(DefaultOutputTokens), DefaultOutputTokens, "positive");
    }
}
