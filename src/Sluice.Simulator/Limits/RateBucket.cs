namespace Sluice.Simulator.Limits;

/// <summary>
/// A per-minute budget refilled continuously: it holds at most <c>limit / 60 × burstSeconds</c> units and gains
/// <c>limit / 60</c> units per second. Not thread-safe; <see cref="RateLimits"/> serialises access.
/// </summary>
internal sealed class RateBucket
{
    private readonly double _perSecond;
    private double _available;
    private double _lastSeconds;

    public RateBucket(int limitPerMinute, double burstSeconds, double nowSeconds)
    {
        Limit = limitPerMinute;
        _perSecond = limitPerMinute / 60.0;
        Capacity = Math.Max(1.0, _perSecond * burstSeconds);
        _available = Capacity;
        _lastSeconds = nowSeconds;
    }

    /// <summary>The configured per-minute limit.</summary>
    public int Limit { get; }

    /// <summary>Most units the bucket holds.</summary>
    public double Capacity { get; }

    /// <summary>Units available at the last refill.</summary>
    public double Available => _available;

    public void Refill(double nowSeconds)
    {
        if (nowSeconds > _lastSeconds)
        {
            _available = Math.Min(Capacity, _available + (nowSeconds - _lastSeconds) * _perSecond);
            _lastSeconds = nowSeconds;
        }
    }

    public bool Has(double cost) => _available + 1e-9 >= Math.Min(cost, Capacity);

    public void Take(double cost) => _available -= Math.Min(cost, Capacity);

    /// <summary>Seconds until <paramref name="cost"/> units are available.</summary>
    public double SecondsUntil(double cost) => Math.Max(0, (Math.Min(cost, Capacity) - _available) / _perSecond);

    /// <summary>Seconds until the bucket is full again.</summary>
    public double SecondsUntilFull => Math.Max(0, (Capacity - _available) / _perSecond);
}
