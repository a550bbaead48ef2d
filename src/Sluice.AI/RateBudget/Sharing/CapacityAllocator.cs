namespace Sluice.AI;

/// <summary>
/// The rules by which a lane's limits are shared among its holders, for one lane: what every
/// <see cref="CapacityLeaser"/> applies (the Redis script restates them in Lua). Thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Fair share.</b> Each dimension (requests, tokens, input tokens, output tokens) is divided max-min fairly by the holders' reported
/// demand: a holder that wants less than an equal share gets what it wants, the rest is split evenly among the others,
/// and capacity nobody wants is spread evenly over all, so a holder whose demand grows has some at once.</para>
/// <para><b>Never over the limit.</b> A holder is granted its fair share, but never more than what the other holders'
/// unexpired leases leave free. A holder over its fair share comes down when it renews (at half its lease); until
/// then the newcomer is <i>starved</i> and told to ask again soon (<see cref="CapacityAllocatorOptions.StarvedRenewal"/>).
/// So the sum of unexpired grants never exceeds the limit, at any moment.</para>
/// <para><b>A holder that dies</b> keeps its share until its lease expires
/// (<see cref="CapacityAllocatorOptions.LeaseDuration"/>); the others get it at their next renewal.</para>
/// <para><b>An allocator that restarts</b> (a budget grain reactivated on another silo after its silo died) knows
/// none of the leases granted before. When a holder it does not know reports a lease it already has, the allocator
/// learns for one lease duration: every holder is granted at most what it has, so the leases of the old allocator
/// are honoured until they have all expired. (A holder with no lease that asks before any such report is served from
/// what the allocator knows; that window is the first renewal interval after the restart.)</para>
/// <para><b>A 429</b> reported by one holder pauses the lane: every lease carries the time left, and each holder
/// learns it at its next renewal.</para>
/// </remarks>
public sealed class CapacityAllocator
{
    private readonly Dictionary<string, Holding> _holders = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CapacityAllocatorOptions _options;
    private readonly TimeProvider _time;
    private readonly long _created;
    private readonly long _leaseTicks;
    private long _pausedUntil;
    private long _learningUntil;

    /// <summary>Creates the allocator of one lane.</summary>
    /// <param name="options">The lease rules; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public CapacityAllocator(CapacityAllocatorOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = (options ?? new CapacityAllocatorOptions()).Clone();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _created = _time.GetTimestamp();
        _pausedUntil = _created;
        _leaseTicks = Ticks(_options.LeaseDuration);
    }

    /// <summary>Gets the number of holders with an unexpired lease.</summary>
    public int Holders
    {
        get
        {
            lock (_lock)
            {
                Expire(_time.GetTimestamp());
                return _holders.Count;
            }
        }
    }

    /// <summary>Grants or renews a holder's lease.</summary>
    /// <param name="request">The holder's demand and what it has.</param>
    /// <returns>Its lease.</returns>
    /// <exception cref="ArgumentException">The lane or holder is empty.</exception>
    public CapacityLease Grant(CapacityRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Lane, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Holder, nameof(request));
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            Expire(now);
            if (!_holders.TryGetValue(request.Holder, out var holding))
            {
                if (Holds(request.HasPerSecond) && now - _created < _leaseTicks)
                {
                    _learningUntil = now + _leaseTicks; // it holds a lease this allocator never granted
                }

                holding = new Holding();
                _holders.Add(request.Holder, holding);
            }

            holding.Expires = now + _leaseTicks;
            for (int d = 0; d < BudgetRates.Count; d++)
            {
                holding.Limits[d] = Positive(request.LimitsPerMinute[d]);
                holding.Wants[d] = Demand(request.WantsPerSecond[d]);
            }

            if (request.Pause > TimeSpan.Zero)
            {
                _pausedUntil = Math.Max(_pausedUntil, now + Ticks(request.Pause));
            }

            bool learning = now < _learningUntil;
            bool starved = false;
            Span<double?> limits = stackalloc double?[BudgetRates.Count];
            Span<double?> granted = stackalloc double?[BudgetRates.Count];
            for (int d = 0; d < BudgetRates.Count; d++)
            {
                limits[d] = Lowest(d);
                granted[d] = limits[d] is { } perMinute ? Divide(d, perMinute / 60, holding, learning ? request.HasPerSecond[d] ?? 0 : null, ref starved) : null;
                holding.Granted[d] = granted[d] ?? 0;
            }

            return new CapacityLease(
                BudgetRates.From(granted),
                BudgetRates.From(limits),
                _options.LeaseDuration,
                starved || learning ? _options.StarvedRenewal : _options.LeaseDuration / 2,
                _pausedUntil > now ? _time.GetElapsedTime(now, _pausedUntil) : TimeSpan.Zero,
                _holders.Count);
        }
    }

    /// <summary>Takes a holder's lease back at once (it is leaving).</summary>
    /// <param name="holder">The holder.</param>
    public void Return(string holder)
    {
        lock (_lock)
        {
            _holders.Remove(holder);
        }
    }

    /// <summary>The holder's grant in one dimension: its fair share of <paramref name="capacity"/>, but no more than
    /// the others' unexpired grants leave free; while learning, what it <paramref name="has"/> as far as it is free.</summary>
    private double Divide(int dimension, double capacity, Holding holder, double? has, ref bool starved)
    {
        double fair = FairShare(dimension, capacity, holder);
        double held = 0;
        foreach (var other in _holders.Values)
        {
            if (other != holder)
            {
                held += other.Granted[dimension];
            }
        }

        double free = Math.Max(0, capacity - held);
        if (has is { } already)
        {
            return Math.Min(Math.Max(0, already), free); // learning: what it already has, whatever its fair share
        }

        double grant = Math.Min(fair, free);
        if (grant < fair * 0.99 || grant < Math.Min(holder.Wants[dimension], capacity) * 0.99)
        {
            starved = true; // less than its fair share, or than it wants: a share another holder gives up reaches it soon
        }

        return grant;
    }

    /// <summary>Max-min fair division by demand (water-filling); capacity nobody wants is spread evenly.</summary>
    private double FairShare(int dimension, double capacity, Holding holder)
    {
        int n = _holders.Count;
        Span<double> demand = n <= 256 ? stackalloc double[n] : new double[n];
        int i = 0;
        foreach (var other in _holders.Values)
        {
            demand[i++] = other.Wants[dimension];
        }

        demand.Sort();
        double remaining = capacity;
        double mine = Math.Min(holder.Wants[dimension], capacity);
        double level = 0;
        for (i = 0; i < n; i++)
        {
            double share = Math.Min(demand[i], remaining / (n - i));
            remaining -= share;
            level = Math.Max(level, share);
        }

        // Everyone below the level got what they wanted; the rest got the level. Then the unwanted rest, evenly.
        return Math.Min(mine, level) + (remaining / n);
    }

    private void Expire(long now)
    {
        foreach (var (holder, holding) in _holders)
        {
            if (holding.Expires <= now)
            {
                _holders.Remove(holder);
            }
        }
    }

    private double? Lowest(int dimension)
    {
        double? lowest = null;
        foreach (var holding in _holders.Values)
        {
            if (holding.Limits[dimension] is { } value && (lowest is null || value < lowest))
            {
                lowest = value;
            }
        }

        return lowest;
    }

    private static bool Holds(BudgetRates has)
    {
        for (int d = 0; d < BudgetRates.Count; d++)
        {
            if (has[d] is > 0)
            {
                return true;
            }
        }

        return false;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static double? Positive(double? value) => value is > 0 and < double.PositiveInfinity ? value : null;

    private static double Demand(double? value) => value is { } v && v > 0 && !double.IsNaN(v) ? v : 0;

    private sealed class Holding
    {
        public readonly double?[] Limits = new double?[BudgetRates.Count];
        public readonly double[] Wants = new double[BudgetRates.Count];
        public readonly double[] Granted = new double[BudgetRates.Count];
        public long Expires;
    }
}
