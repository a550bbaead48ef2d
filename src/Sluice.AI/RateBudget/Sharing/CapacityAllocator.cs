namespace Sluice.AI;

/// <summary>
/// The rules by which a lane's limits are shared among its holders, for one lane: what every
/// <see cref="CapacityLeaser"/> applies (the Redis script restates them in Lua). Thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Fair share.</b> Each dimension (requests, tokens) is divided max-min fairly by the holders' reported
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
                if ((request.HasRequests > 0 || request.HasTokens > 0) && now - _created < _leaseTicks)
                {
                    _learningUntil = now + _leaseTicks; // it holds a lease this allocator never granted
                }

                holding = new Holding();
                _holders.Add(request.Holder, holding);
            }

            holding.Expires = now + _leaseTicks;
            holding.RequestsPerMinute = Positive(request.RequestsPerMinute);
            holding.TokensPerMinute = Positive(request.TokensPerMinute);
            holding.WantsRequests = Demand(request.WantsRequests);
            holding.WantsTokens = Demand(request.WantsTokens);
            if (request.Pause > TimeSpan.Zero)
            {
                _pausedUntil = Math.Max(_pausedUntil, now + Ticks(request.Pause));
            }

            bool learning = now < _learningUntil;
            double? rpm = Lowest(static h => h.RequestsPerMinute);
            double? tpm = Lowest(static h => h.TokensPerMinute);
            bool starved = false;
            double? requests = rpm is { } r ? Divide(r / 60, holding, static h => h.WantsRequests, static h => h.GrantedRequests, learning ? request.HasRequests : null, ref starved) : null;
            double? tokens = tpm is { } t ? Divide(t / 60, holding, static h => h.WantsTokens, static h => h.GrantedTokens, learning ? request.HasTokens : null, ref starved) : null;
            holding.GrantedRequests = requests ?? 0;
            holding.GrantedTokens = tokens ?? 0;
            return new CapacityLease(
                requests,
                tokens,
                rpm,
                tpm,
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
    private double Divide(double capacity, Holding holder, Func<Holding, double> wants, Func<Holding, double> granted, double? has, ref bool starved)
    {
        double fair = FairShare(capacity, holder, wants);
        double held = 0;
        foreach (var other in _holders.Values)
        {
            if (other != holder)
            {
                held += granted(other);
            }
        }

        double free = Math.Max(0, capacity - held);
        if (has is { } already)
        {
            return Math.Min(Math.Max(0, already), free); // learning: what it already has, whatever its fair share
        }

        double grant = Math.Min(fair, free);

        if (grant < fair * 0.99)
        {
            starved = true;
        }

        return grant;
    }

    /// <summary>Max-min fair division by demand (water-filling); capacity nobody wants is spread evenly.</summary>
    private double FairShare(double capacity, Holding holder, Func<Holding, double> wants)
    {
        int n = _holders.Count;
        Span<double> demand = n <= 256 ? stackalloc double[n] : new double[n];
        int i = 0;
        foreach (var other in _holders.Values)
        {
            demand[i++] = wants(other);
        }

        demand.Sort();
        double remaining = capacity;
        double mine = Math.Min(wants(holder), capacity);
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

    private double? Lowest(Func<Holding, double?> limit)
    {
        double? lowest = null;
        foreach (var holding in _holders.Values)
        {
            if (limit(holding) is { } value && (lowest is null || value < lowest))
            {
                lowest = value;
            }
        }

        return lowest;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static double? Positive(double? value) => value is > 0 and < double.PositiveInfinity ? value : null;

    private static double Demand(double value) => double.IsNaN(value) || value < 0 ? 0 : value;

    private sealed class Holding
    {
        public long Expires;
        public double? RequestsPerMinute;
        public double? TokensPerMinute;
        public double WantsRequests;
        public double WantsTokens;
        public double GrantedRequests;
        public double GrantedTokens;
    }
}
