using System.Globalization;
using System.Text.Json;
using Sluice.AI;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// A <see cref="CapacityLeaser"/> kept in Redis: one Lua script (the rules of <see cref="CapacityAllocator"/>) runs
/// each lease request atomically against a hash per lane, on the Redis server's clock. Several independent processes
/// that send with one provider key share its limits through it; no cluster is needed.
/// </summary>
/// <remarks>A holder talks to Redis when it starts, at each renewal (every 2 s by default) and when its demand grows,
/// never per request. The lane's state expires three leases after its last holder leaves. If Redis restarts empty,
/// the first holder to report a lease it already holds puts the lane into learning for one lease (see
/// <see cref="CapacityAllocator"/>).</remarks>
public sealed class RedisCapacityLeaser : CapacityLeaser, IDisposable
{
    private static readonly string Script = ReadScript();
    private readonly IDatabase _database;
    private IConnectionMultiplexer? _owned;
    private readonly CapacityAllocatorOptions _options;
    private readonly string _prefix;

    /// <summary>Creates a leaser on a connected multiplexer.</summary>
    /// <param name="redis">The connection (shared; not disposed by the leaser).</param>
    /// <param name="options">The lease rules; defaults when <see langword="null"/>.</param>
    /// <param name="keyPrefix">The prefix of the lanes' keys.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public RedisCapacityLeaser(IConnectionMultiplexer redis, CapacityAllocatorOptions? options = null, string keyPrefix = "sluice:budget:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _database = redis.GetDatabase();
        _options = options ?? new CapacityAllocatorOptions();
        _ = new CapacityAllocator(_options); // validates the options with the allocator's own rules
        _prefix = keyPrefix;
    }

    /// <summary>Connects to the Redis server at <paramref name="address"/> (<c>redis://host:port</c> or
    /// <c>host:port</c>) and returns a leaser that owns the connection. A password, when the server needs one, is read
    /// from the environment variable <c>SLUICE_REDIS_PASSWORD</c>, never from the address.</summary>
    /// <param name="address">The server.</param>
    /// <param name="options">The lease rules; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>A connected leaser; dispose it to close the connection.</returns>
    /// <exception cref="ArgumentException">The address is not <c>redis://host:port</c> or carries a password or a path.</exception>
    /// <exception cref="RedisConnectionException">The server cannot be reached (the message names the address).</exception>
    public static async Task<RedisCapacityLeaser> ConnectAsync(string address, CapacityAllocatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var endpoint = ParseAddress(address);
        var configuration = new ConfigurationOptions
        {
            EndPoints = { endpoint },
            AbortOnConnectFail = true,
            ConnectTimeout = 5_000,
            ClientName = "sluice",
            Password = Environment.GetEnvironmentVariable("SLUICE_REDIS_PASSWORD") is { Length: > 0 } password ? password : null,
        };
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return new RedisCapacityLeaser(connection, options) { _owned = connection };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads <c>redis://host:port</c> (port 6379 when omitted) or <c>host:port</c>.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException">The address is malformed or carries a password or a path.</exception>
    public static System.Net.EndPoint ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string text = address.Contains("://", StringComparison.Ordinal) ? address : "redis://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("expected redis://host:port (for example redis://127.0.0.1:6379).", nameof(address));
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException("the address must not carry a password: set SLUICE_REDIS_PASSWORD instead.", nameof(address));
        }

        if (uri.AbsolutePath is not ("" or "/") || !string.IsNullOrEmpty(uri.Query))
        {
            throw new ArgumentException("expected redis://host:port with no path or query.", nameof(address));
        }

        int port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        return System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new System.Net.IPEndPoint(ip, port)
            : new System.Net.DnsEndPoint(uri.Host, port);
    }

    /// <summary>Closes the connection if this leaser opened it (<see cref="ConnectAsync"/>).</summary>
    public void Dispose() => Interlocked.Exchange(ref _owned, null)?.Dispose();

    /// <inheritdoc />
    public override async ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var values = new RedisValue[17];
        values[0] = "lease";
        values[1] = request.Holder;
        for (int d = 0; d < 4; d++)
        {
            values[2 + d] = Number(Dimension(request.LimitsPerMinute, d));
            values[6 + d] = Number(Dimension(request.WantsPerSecond, d));
            values[10 + d] = Number(Dimension(request.HasPerSecond, d));
        }

        values[14] = Number(request.Pause.TotalMilliseconds);
        values[15] = Number(_options.LeaseDuration.TotalMilliseconds);
        values[16] = Number(_options.StarvedRenewal.TotalMilliseconds);
        var result = await _database.ScriptEvaluateAsync(Script, [Key(request.Lane)], values).WaitAsync(cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse((string)result!);
        var root = json.RootElement;
        return new CapacityLease(
            Rates(root.GetProperty("g")),
            Rates(root.GetProperty("l")),
            _options.LeaseDuration,
            TimeSpan.FromMilliseconds(root.GetProperty("renew").GetDouble()),
            TimeSpan.FromMilliseconds(root.GetProperty("pause").GetDouble()),
            root.GetProperty("holders").GetInt32());
    }

    /// <inheritdoc />
    public override async ValueTask ReturnAsync(string lane, string holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentNullException.ThrowIfNull(holder);
        await _database.ScriptEvaluateAsync(Script, [Key(lane)], ["return", holder]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private RedisKey Key(string lane) => _prefix + lane;

    private static RedisValue Number(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    private static double? Dimension(BudgetRates rates, int dimension) => dimension switch
    {
        0 => rates.Requests,
        1 => rates.Tokens,
        2 => rates.InputTokens,
        _ => rates.OutputTokens,
    };

    /// <summary>The script's array of four values, a negative value meaning none.</summary>
    private static BudgetRates Rates(JsonElement array)
    {
        double? At(int d) => array[d].GetDouble() is var v && v >= 0 ? v : null;
        return new BudgetRates(At(0), At(1), At(2), At(3));
    }

    private static string ReadScript()
    {
        using var stream = typeof(RedisCapacityLeaser).Assembly.GetManifestResourceStream("capacity.lua")
            ?? throw new InvalidOperationException("The Redis script capacity.lua is missing from Sluice.Redis.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
