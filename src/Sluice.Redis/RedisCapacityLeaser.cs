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
public sealed class RedisCapacityLeaser : CapacityLeaser
{
    private static readonly string Script = ReadScript();
    private readonly IDatabase _database;
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

    /// <inheritdoc />
    public override async ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] values =
        [
            "lease",
            request.Holder,
            Number(request.RequestsPerMinute),
            Number(request.TokensPerMinute),
            Number(request.WantsRequests),
            Number(request.WantsTokens),
            Number(request.HasRequests),
            Number(request.HasTokens),
            Number(request.Pause.TotalMilliseconds),
            Number(_options.LeaseDuration.TotalMilliseconds),
            Number(_options.StarvedRenewal.TotalMilliseconds),
        ];
        var result = await _database.ScriptEvaluateAsync(Script, [Key(request.Lane)], values).WaitAsync(cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse((string)result!);
        var root = json.RootElement;
        return new CapacityLease(
            Optional(root, "r"),
            Optional(root, "t"),
            Optional(root, "rpm"),
            Optional(root, "tpm"),
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

    private static double? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string ReadScript()
    {
        using var stream = typeof(RedisCapacityLeaser).Assembly.GetManifestResourceStream("capacity.lua")
            ?? throw new InvalidOperationException("The Redis script capacity.lua is missing from Sluice.Redis.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
