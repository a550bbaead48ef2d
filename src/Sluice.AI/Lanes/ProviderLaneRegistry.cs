using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.AI;

/// <summary>
/// The lanes a set of clients shares, by (endpoint, model, API key), as Polly's <c>ResiliencePipelineRegistry</c>
/// shares pipelines by key. Create one and hand it to every client that should share budgets and limits (through
/// <see cref="SluiceClientOptions.Lanes"/>); <see cref="Default"/> serves callers that never create one.
/// </summary>
/// <remarks>The API key is kept only as a SHA-256 fingerprint prefix in the lane's name; it is never stored, printed
/// or logged. The first client to open a lane sets its limits; later clients with other limits share the first ones.</remarks>
public sealed class ProviderLaneRegistry
{
    private readonly ConcurrentDictionary<string, ProviderLane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Gets the registry that <see cref="SluiceClientOptions.Lanes"/> uses by default: one per process.</summary>
    public static ProviderLaneRegistry Default { get; } = new();

    /// <summary>Gets the number of lanes opened so far.</summary>
    public int Count => _lanes.Count;

    /// <summary>Gets the lane for (endpoint, model, key), opening it with <paramref name="options"/> if it is new.</summary>
    /// <param name="endpoint">The provider's base address.</param>
    /// <param name="model">The model.</param>
    /// <param name="apiKey">The API key (only its fingerprint is kept).</param>
    /// <param name="options">The budget and concurrency of a new lane; defaults when <see langword="null"/>.</param>
    /// <returns>The shared lane.</returns>
    public ProviderLane GetOrAdd(Uri endpoint, string model, string apiKey, SluiceClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(apiKey);
        string name = $"{SafeAddress(endpoint)}|{model}|key:{Fingerprint(apiKey)}";
        return _lanes.GetOrAdd(name, static (n, o) => ProviderLane.Create(n, o), options);
    }

    /// <summary>The endpoint without user-info or query (either may carry a secret), safe to print.</summary>
    internal static string SafeAddress(Uri endpoint) =>
        endpoint.IsAbsoluteUri
            ? endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')
            : "(relative address)";

    private static string Fingerprint(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..12];
}
