namespace Sluice.AI;

/// <summary>
/// What every client of one provider lane shares — one (endpoint, model, API key): its <see cref="RateBudget"/>, its
/// <see cref="ConcurrencyLimit"/> and its <see cref="TokenEstimator"/>. Chat, judge and embedding clients on the same
/// lane draw from one budget and one limit. Lanes are usually opened through a <see cref="ProviderLaneRegistry"/>.
/// </summary>
/// <remarks>A lane may be fed from outside the process: construct it with a <see cref="RateBudget"/> and a
/// <see cref="ConcurrencyLimit"/> that a cluster or a shared store keeps, and every layer uses them unchanged.</remarks>
public sealed class ProviderLane
{
    /// <summary>Creates a lane from its parts.</summary>
    /// <param name="name">A name for diagnostics; must not contain secrets.</param>
    /// <param name="budget">The lane's requests- and tokens-per-minute budget.</param>
    /// <param name="concurrency">The lane's concurrency limit.</param>
    /// <param name="estimator">The lane's token estimator (it learns output lengths from the lane's replies).</param>
    public ProviderLane(string name, RateBudget budget, ConcurrencyLimit concurrency, TokenEstimator estimator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(concurrency);
        ArgumentNullException.ThrowIfNull(estimator);
        Name = name;
        Budget = budget;
        Concurrency = concurrency;
        Estimator = estimator;
    }

    /// <summary>Gets the lane's name (safe to print: a key appears only as a fingerprint).</summary>
    public string Name { get; }

    /// <summary>Gets the lane's requests- and tokens-per-minute budget.</summary>
    public RateBudget Budget { get; }

    /// <summary>Gets the lane's concurrency limit.</summary>
    public ConcurrencyLimit Concurrency { get; }

    /// <summary>Gets the lane's token estimator.</summary>
    public TokenEstimator Estimator { get; }

    /// <summary>Opens a lane kept in this process: a <see cref="LocalRateBudget"/> (a <see cref="SharedRateBudget"/>
    /// when <see cref="RateBudgetOptions.Leaser"/> is set) and the limit that <paramref name="options"/> describe.</summary>
    /// <param name="name">A name for diagnostics; must not contain secrets.</param>
    /// <param name="options">The lane's budget and concurrency; defaults when <see langword="null"/>.</param>
    /// <returns>A new lane, shared with nobody until the caller shares it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ProviderLane Create(string name, SluiceClientOptions? options = null)
    {
        options = (options ?? new SluiceClientOptions()).Validate();
        if (options.RateBudget is { TokensPerMinute: not null } or { InputTokensPerMinute: not null } or { OutputTokensPerMinute: not null })
        {
            TokenEstimator.Preload(); // a tokens budget estimates every call: load the tokenizer before the first one
        }
        return new ProviderLane(
            name,
            options.RateBudget.Leaser is { } leaser
                ? new SharedRateBudget(name, leaser, options.RateBudget, options.TimeProvider)
                : new LocalRateBudget(options.RateBudget, options.TimeProvider),
            options.Concurrency.CreateLimit(options.TimeProvider),
            new TokenEstimator(options.RateBudget.DefaultOutputTokens));
    }
}
