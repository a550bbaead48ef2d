namespace Sluice.Cluster.Hosting;

/// <summary>
/// Where a Sluice cluster keeps its membership: <c>redis://host:port</c> (Orleans' Redis clustering; every silo and
/// client names the same server). Parsed from the <c>--cluster</c> option of <c>sluice worker</c>.
/// </summary>
public sealed class SluiceClusterAddress
{
    private SluiceClusterAddress(string host, int port)
    {
        Host = host;
        Port = port;
    }

    /// <summary>Gets the Redis server's host.</summary>
    public string Host { get; }

    /// <summary>Gets the Redis server's port.</summary>
    public int Port { get; }

    /// <summary>Gets the StackExchange.Redis connection string: <c>host:port</c>.</summary>
    public string RedisConnectionString => $"{Host}:{Port}";

    /// <summary>Reads <c>redis://host:port</c> (the port defaults to 6379).</summary>
    /// <param name="text">The address.</param>
    /// <returns>The address.</returns>
    /// <exception cref="FormatException">It is not a <c>redis://</c> address without credentials, path or query; the message says what was expected.</exception>
    public static SluiceClusterAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"expected a cluster address such as redis://127.0.0.1:6379; it was '{text}'.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || uri.AbsolutePath is not ("" or "/"))
        {
            throw new FormatException("the cluster address must be redis://host:port only: no credentials, path or query (it is not shown).");
        }

        return new SluiceClusterAddress(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
    }

    /// <summary>The address as <c>redis://host:port</c>.</summary>
    /// <returns>The address.</returns>
    public override string ToString() => $"redis://{Host}:{Port}";
}
