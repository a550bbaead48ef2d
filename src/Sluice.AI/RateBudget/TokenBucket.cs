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

    public double SecondsUntil(double cost) => Math.Max(0, (Clamp(cost) - Available) / _perSecond);

    public void Take(double cost) => Available -= Clamp(cost);

    public void Adjust(double delta) => Available = Math.Min(Capacity, Available + delta);

    public void LowerTo(double remaining) => Available = Math.Min(Available, remaining);
}
