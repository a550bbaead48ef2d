namespace Sluice.AI;

/// <summary>
/// Everything Sluice's throughput stack needs, one nested options object per layer (as
/// <c>HttpStandardResilienceOptions</c> nests its strategies): <see cref="Retry"/>, <see cref="RateBudget"/>,
/// <see cref="Concurrency"/> and <see cref="AttemptTimeout"/>. Validated when a client is built; an invalid value throws
/// an exception that names it by its path, e.g. <c>SluiceClientOptions.Retry.MaxAttempts</c>.
/// </summary>
/// <example><code>
/// var options = new SluiceClientOptions
/// {
///     RateBudget = { RequestsPerMinute = 3_000, TokensPerMinute = 1_000_000 },
///     Concurrency = { MaxConcurrency = 64 },
///     Retry = { MaxAttempts = 4 },
/// };
/// </code></example>
public sealed class SluiceClientOptions
{
    /// <summary>Gets or sets how failed attempts are retried.</summary>
    public SluiceRetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the requests- and tokens-per-minute budget of a lane opened with these options.</summary>
    public RateBudgetOptions RateBudget { get; set; } = new();

    /// <summary>Gets or sets the concurrency limit of a lane opened with these options (adaptive by default).</summary>
    public ConcurrencyOptions Concurrency { get; set; } = new();

    /// <summary>Gets or sets the per-attempt timeout.</summary>
    public AttemptTimeoutOptions AttemptTimeout { get; set; } = new();

    /// <summary>Gets or sets the lanes a client built by <see cref="OpenAICompatible"/> joins: clients of one registry
    /// with the same endpoint, model and key share one budget and one limit.</summary>
    /// <value>Default <see cref="ProviderLaneRegistry.Default"/>.</value>
    public ProviderLaneRegistry Lanes { get; set; } = ProviderLaneRegistry.Default;

    /// <summary>Gets or sets the clock for budgets, delays and timeouts.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets an <see cref="System.Net.Http.HttpClient"/> for the OpenAI-compatible factory to send
    /// through (a proxy, a recording handler), or <see langword="null"/> for a shared default.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Throws when any value, nested ones included, is out of range.</summary>
    /// <returns>These options.</returns>
    internal SluiceClientOptions Validate()
    {
        const string path = nameof(SluiceClientOptions);
        OptionsCheck.NotNull(Retry, path, nameof(Retry));
        OptionsCheck.NotNull(RateBudget, path, nameof(RateBudget));
        OptionsCheck.NotNull(Concurrency, path, nameof(Concurrency));
        OptionsCheck.NotNull(AttemptTimeout, path, nameof(AttemptTimeout));
        OptionsCheck.NotNull(Lanes, path, nameof(Lanes));
        OptionsCheck.NotNull(TimeProvider, path, nameof(TimeProvider));
        Retry.Validate($"{path}.{nameof(Retry)}");
        RateBudget.Validate($"{path}.{nameof(RateBudget)}");
        Concurrency.Validate($"{path}.{nameof(Concurrency)}");
        AttemptTimeout.Validate($"{path}.{nameof(AttemptTimeout)}");
        return this;
    }
}
