namespace Sluice.AI;

/// <summary>
/// A per-minute budget refilled continuously: holds at most <c>limit ÷ 60 × burstSeconds</c> units and gains
/// <c>limit ÷ 60</c> per second. Its balance may go below zero when a call cost more than was estimated.
/// Not thread-safe; <see cref="RateBudget"/> guards it.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _burstSeconds;
    private readonly double _headroom;
    private double _perSecond;
    private long _lastRefill;

    public TokenBucket(int limitPerMinute, double burstSeconds, double headroom, double initialFill, long now)
    {
        _burstSeconds = burstSeconds;
        _headroom = headroom;
        SetLimit(limitPerMinute);
        Available = Capacity * initialFill;
        _lastRefill = now;
    }

    public int LimitPerMinute { get; private set; }

    public double Capacity { get; private set; }

    public double Available { get; private set; }

    public void SetLimit(int limitPerMinute)
    {
        LimitPerMinute = limitPerMinute;
        _perSecond = limitPerMinute * _headroom / 60.0;
        Capacity = Math.Max(1.0, _perSecond * _burstSeconds);
        Available = Math.Min(Available, Capacity);
    }

    /// <summary>Sets the refill rate directly, for a budget whose share of a limit is leased from elsewhere (headroom was
    /// applied where the limit is divided). A rate of 0 refills nothing: callers wait for the next lease.</summary>
    public void SetRate(double perSecond)
    {
        _perSecond = Math.Max(0, perSecond);
        Capacity = Math.Max(1.0, _perSecond * _burstSeconds);
        Available = Math.Min(Available, Capacity);
    }

    public void Refill(long now, double timestampFrequency)
    {
        if (now > _lastRefill)
        {
            Available = Math.Min(Capacity, Available + ((now - _lastRefill) / timestampFrequency * _perSecond));
            _lastRefill = now;
        }
    }

    /// <summary>Clamps a cost to what the bucket can ever hold, so that no cost waits forever.</summary>
    public double Clamp(double cost) => Math.Min(cost, Capacity);

    /// <summary>Seconds until <paramref name="cost"/> is available; infinite while the rate is 0 and it is not.</summary>
    public double SecondsUntil(double cost)
    {
        double missing = Clamp(cost) - Available;
        return missing <= 0 ? 0 : _perSecond > 0 ? missing / _perSecond : double.PositiveInfinity;
    }

    public void Take(double cost) => Available -= Clamp(cost);

    public void Adjust(double delta) => Available = Math.Min(Capacity, Available + delta);

    public void LowerTo(double remaining) => Available = Math.Min(Available, remaining);
}
