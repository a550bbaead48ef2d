using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.AI;

/// <summary>
/// What every client in the process shares about one provider lane — one (endpoint, model, API key): its
/// <see cref="RateBudget"/>, its <see cref="ConcurrencyLimit"/> and its <see cref="TokenEstimator"/>. Chat, judge
/// and embedding clients that use the same endpoint, model and key therefore draw from one budget and one limit.
/// </summary>
/// <remarks>The API key is kept only as a SHA-256 fingerprint prefix; it is never stored, printed or logged.
/// The first client to open a lane sets its limits; later clients with other limits share the first ones.</remarks>
public sealed class ProviderLane
{
    private static readonly ConcurrentDictionary<string, ProviderLane> Lanes = new(StringComparer.Ordinal);

    private ProviderLane(string name, SluiceClientOptions options)
    {
        Name = name;
        Budget = new RateBudget(
            new RateBudgetOptions
            {
                RequestsPerMinute = options.RequestsPerMinute,
                TokensPerMinute = options.TokensPerMinute,
                BurstSeconds = options.BurstSeconds,
                Headroom = options.RateHeadroom,
            },
            options.TimeProvider);
        Concurrency = options.MaxConcurrency is { } fixedLimit
            ? new FixedConcurrencyLimit(fixedLimit)
            : new AdaptiveConcurrencyLimit(options.Adaptive, options.TimeProvider);
        Estimator = new TokenEstimator(options.DefaultOutputTokens);
        TokenEstimator.Preload();
    }

    /// <summary>Gets the lane's name: endpoint, model and key fingerprint (safe to print).</summary>
    public string Name { get; }

    /// <summary>Gets the lane's requests and tokens per minute budget.</summary>
    public RateBudget Budget { get; }

    /// <summary>Gets the lane's concurrency limit (adaptive unless <see cref="SluiceClientOptions.MaxConcurrency"/> was set).</summary>
    public ConcurrencyLimit Concurrency { get; }

    /// <summary>Gets the lane's token estimator (it learns output lengths from the lane's replies).</summary>
    public TokenEstimator Estimator { get; }

    /// <summary>Gets the process-wide lane for (endpoint, model, key), opening it with <paramref name="options"/> if new.</summary>
    /// <param name="endpoint">The provider's base address.</param>
    /// <param name="model">The model.</param>
    /// <param name="apiKey">The API key (only its fingerprint is kept).</param>
    /// <param name="options">Limits for a new lane.</param>
    /// <returns>The shared lane.</returns>
    public static ProviderLane For(Uri endpoint, string model, string apiKey, SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(options);
        string name = $"{endpoint.AbsoluteUri.TrimEnd('/')}|{model}|key:{Fingerprint(apiKey)}";
        return Lanes.GetOrAdd(name, static (n, o) => new ProviderLane(n, o), options);
    }

    /// <summary>Creates a lane that is not shared, for tests and for callers that manage sharing themselves.</summary>
    /// <param name="name">A name for diagnostics (must not contain secrets).</param>
    /// <param name="options">The lane's limits.</param>
    /// <returns>A new lane.</returns>
    public static ProviderLane CreateIsolated(string name, SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ProviderLane(name, options.Validate());
    }

    private static string Fingerprint(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..12];
}
