using System.Threading.RateLimiting;

namespace Sluice.AI;

/// <summary>
/// A <see cref="RateBudget"/> that holds a share of a lane's limits leased from a <see cref="CapacityLeaser"/> shared
/// by several processes (the silos of a cluster, independent <c>sluice run</c> processes through Redis), so that
/// together they keep the provider's requests- and tokens-per-minute limits. Requests are granted locally, first come,
/// first served, at the leased rate; the leaser is asked a few times a second at most, never per request.
/// </summary>
/// <remarks>
/// <para>The budget asks for a lease when it is created and renews it when the lease says (half its duration, sooner
/// while it has less than its fair share or than it wants). It also asks at once when its demand outgrows its share (a
/// caller had to wait), when its demand falls to less than half of what it last reported (its callers stopped: the
/// share goes back to the others now, not at the next renewal), and when a 429 pauses it (so the other holders learn
/// of the pause at their next renewal). Its demand is what
/// callers asked for since the last renewal; a budget with waiting callers asks for the whole limit and gets its fair
/// share of it.</para>
/// <para>A lease holds for its duration counted from when the request was sent; if it cannot be renewed by then
/// (the leaser is unreachable or does not answer) the budget grants nothing until a renewal succeeds, so a holder cut
/// off from the others never spends capacity they may have been given. A renewal call that takes longer than 2 s is
/// abandoned; failed renewals are retried every 250 ms.</para>
/// <para>Disposing the budget returns its share, so the others get it at their next renewal.</para>
/// </remarks>
public sealed class SharedRateBudget : RateBudget
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan EarliestRenewal = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DemandCheck = TimeSpan.FromMilliseconds(250);
    private readonly LocalRateBudget _local;
    private readonly CapacityLeaser _leaser;
    private readonly RateBudgetOptions _options;
    private readonly TimeProvider _time;
    private readonly string _lane;
    private readonly string _holder = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewalLoop;
    private readonly Lock _lock = new();
    private readonly ITimer _expiry;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double? _learnedRequests;
    private double? _learnedTokens;
    private long _asked;
    private long _askedInput;
    private long _askedOutput;
    private int _waited;
    private bool _reportedBacklog;
    private double _reportedRequests;
    private TimeSpan _pause;
    private CapacityLease? _lease;
    private long _leaseExpires;
    private long _renewals;
    private long _failedRenewals;
    private int _disposed;

    /// <summary>Creates a budget that draws its share of <paramref name="lane"/>'s limits from
    /// <paramref name="leaser"/>, and asks for its first lease at once.</summary>
    /// <param name="lane">The lane's key (endpoint, model, key fingerprint; never a secret).</param>
    /// <param name="leaser">Where the shares are kept.</param>
    /// <param name="options">The limits this holder knows and how it spends its share (burst, queue limit); the
    /// lane's limits are the lowest that any holder declares.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public SharedRateBudget(string lane, CapacityLeaser leaser, RateBudgetOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lane);
        ArgumentNullException.ThrowIfNull(leaser);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _lane = lane;
        _leaser = leaser;
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _local = new LocalRateBudget(_options, _time);
        var known = DeclaredLimits();
        _local.Share(known, known.Zeroed(), empty: true); // nothing until the first lease
        _expiry = _time.CreateTimer(static s => ((SharedRateBudget)s!).ExpireIfDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _renewalLoop = Task.Run(RenewAsync);
    }

    /// <summary>Gets the lease in force, or <see langword="null"/> before the first one.</summary>
    public CapacityLease? Lease
    {
        get
        {
            lock (_lock)
            {
                return _lease;
            }
        }
    }

    /// <summary>Gets how many leases were granted to this budget, and how many requests for one failed.</summary>
    public (long Granted, long Failed) Renewals => (Interlocked.Read(ref _renewals), Interlocked.Read(ref _failedRenewals));

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => null;

    /// <inheritdoc />
    public override bool BudgetsTokens => _local.BudgetsTokens;

    /// <inheritdoc />
    public override RateBudgetSnapshot Snapshot => _local.Snapshot;

    /// <inheritdoc />
    public override void Reconcile(long estimatedTokens, long actualTokens) => _local.Reconcile(estimatedTokens, actualTokens);

    /// <inheritdoc />
    public override void Reconcile(TokenCost estimated, TokenCost actual) => _local.Reconcile(estimated, actual);

    /// <inheritdoc />
    public override ValueTask<RateLimitLease> AcquireAsync(TokenCost cost, CancellationToken cancellationToken = default)
    {
        Count(cost);
        var pending = _local.AcquireAsync(cost, cancellationToken);
        if (!pending.IsCompleted)
        {
            Waited();
        }

        return pending;
    }

    /// <inheritdoc />
    /// <remarks>Holds this holder at once and reports the pause, so every holder of the lane learns it at its next
    /// renewal.</remarks>
    public override void PauseFor(TimeSpan retryAfter)
    {
        if (retryAfter <= TimeSpan.Zero)
        {
            return;
        }

        _local.PauseFor(retryAfter);
        lock (_lock)
        {
            _pause = retryAfter > _pause ? retryAfter : _pause;
        }

        Wake();
    }

    /// <inheritdoc />
    /// <remarks>A limit the provider announces is declared to the leaser with the next renewal (the lane keeps the
    /// lowest declared); the remaining counts lower this holder's balance at once.</remarks>
    public override void Observe(RateLimitHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        bool learned = false;
        lock (_lock)
        {
            if (_options.RequestsPerMinute is null && headers.LimitRequests is > 0 && _learnedRequests is null)
            {
                _learnedRequests = headers.LimitRequests.Value;
                learned = true;
            }

            if (_options.TokensPerMinute is null && headers.LimitTokens is > 0 && _learnedTokens is null)
            {
                _learnedTokens = headers.LimitTokens.Value;
                TokenEstimator.Preload();
                learned = true;
            }
        }

        _local.Observe(headers with { LimitRequests = null, LimitTokens = null });
        if (learned)
        {
            Wake();
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Count(new TokenCost(permitCount, 0));
        var lease = _local.AttemptAcquire(permitCount);
        if (!lease.IsAcquired)
        {
            Waited();
        }

        return lease;
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Count(new TokenCost(permitCount, 0));
        var pending = _local.AcquireAsync(permitCount, cancellationToken);
        if (!pending.IsCompleted)
        {
            Waited();
        }

        return pending;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            try
            {
                _renewalLoop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // the loop ends by cancellation
            }

            try
            {
                // Give the share back so the others need not wait for it to expire; a leaser out of reach lets it expire.
                _leaser.ReturnAsync(_lane, _holder, CancellationToken.None).AsTask().Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
            }

            _expiry.Dispose();
            _local.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Count(TokenCost cost)
    {
        Interlocked.Increment(ref _asked);
        Interlocked.Add(ref _askedInput, Math.Max(0, cost.Input));
        Interlocked.Add(ref _askedOutput, Math.Max(0, cost.Output));
    }

    /// <summary>The limits this holder knows: configured, else learned from the provider's headers; headroom not applied.</summary>
    private BudgetRates DeclaredLimits() => new(
        _options.RequestsPerMinute ?? _learnedRequests,
        _options.TokensPerMinute ?? _learnedTokens,
        _options.InputTokensPerMinute,
        _options.OutputTokensPerMinute);

    /// <summary>A caller had to wait: the share is too small for the demand. Ask for more at once, unless the last
    /// request already said so (the allocator knows; asking again would not change the share).</summary>
    private void Waited()
    {
        if (Interlocked.Exchange(ref _waited, 1) == 0 && !Volatile.Read(ref _reportedBacklog))
        {
            Wake();
        }
    }

    private void Wake()
    {
        lock (_lock)
        {
            _wake.TrySetResult();
        }
    }

    private async Task RenewAsync()
    {
        CancellationToken stop = _stop.Token;
        long last = _time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            // A wake from now on (during the call or the wait below) brings the next renewal forward.
            Task woken;
            lock (_lock)
            {
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                woken = _wake.Task;
            }

            long sent = _time.GetTimestamp();
            TimeSpan next;
            var (request, taken) = Request(sent - last);
            try
            {
                // A leaser that does not answer (its silo died, Redis hangs) must not hold the loop past the lease.
                using var call = new CancellationTokenSource(CallTimeout, _time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, call.Token);
                var lease = await _leaser.LeaseAsync(request, either.Token).ConfigureAwait(false);
                last = sent;
                Apply(lease, sent);
                Interlocked.Increment(ref _renewals);
                next = lease.RenewAfter;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failedRenewals);
                Restore(taken); // what this request carried goes with the next one
                next = RetryInterval;
            }

            // Wait for the renewal time, an earlier wake (demand outgrew the share, a pause to report), or the lease's
            // end, whichever comes first; never ask more often than every EarliestRenewal.
            try
            {
                await Task.Delay(EarliestRenewal, _time, stop).ConfigureAwait(false);
                TimeSpan rest = next - EarliestRenewal;
                TimeSpan untilExpiry = UntilExpiry();
                if (untilExpiry < rest)
                {
                    rest = untilExpiry;
                }

                if (rest > TimeSpan.Zero)
                {
                    await WaitAsync(woken, rest, last, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            ExpireIfDue();
        }
    }

    /// <summary>Waits <paramref name="rest"/>, or until <paramref name="woken"/>, or until the demand has fallen to
    /// less than half of what the last renewal reported (checked every <see cref="DemandCheck"/>): a holder whose
    /// callers stopped gives its share back at once, not at its next renewal.</summary>
    private async Task WaitAsync(Task woken, TimeSpan rest, long since, CancellationToken stop)
    {
        while (rest > TimeSpan.Zero)
        {
            TimeSpan slice = rest < DemandCheck ? rest : DemandCheck;
            if (await Task.WhenAny(woken, Task.Delay(slice, _time, stop)).ConfigureAwait(false) == woken)
            {
                return;
            }

            stop.ThrowIfCancellationRequested();
            rest -= slice;
            if (DemandFell(since))
            {
                return;
            }
        }
    }

    private bool DemandFell(long since)
    {
        if (Volatile.Read(ref _waited) == 1 || _local.Snapshot.Queued > 0)
        {
            return false;
        }

        double seconds = Math.Max(_time.GetElapsedTime(since).TotalSeconds, 0.05);
        double recent = Math.Max(1.0, Interlocked.Read(ref _asked) / seconds * 1.5);
        return recent < Volatile.Read(ref _reportedRequests) / 2;
    }

    /// <summary>The demand counts and the pause a request takes from the budget; given back when it fails.</summary>
    private readonly record struct Taken(long Asked, long Input, long Output, TimeSpan Pause);

    private void Restore(Taken taken)
    {
        Interlocked.Add(ref _asked, taken.Asked);
        Interlocked.Add(ref _askedInput, taken.Input);
        Interlocked.Add(ref _askedOutput, taken.Output);
        lock (_lock)
        {
            if (taken.Pause > _pause)
            {
                _pause = taken.Pause;
            }
        }
    }

    private (CapacityRequest Request, Taken Taken) Request(long sinceLastTicks)
    {
        double seconds = Math.Max(sinceLastTicks / (double)_time.TimestampFrequency, 0.05);
        long asked = Interlocked.Exchange(ref _asked, 0);
        long input = Interlocked.Exchange(ref _askedInput, 0);
        long output = Interlocked.Exchange(ref _askedOutput, 0);
        bool backlogged = Interlocked.Exchange(ref _waited, 0) == 1 || _local.Snapshot.Queued > 0;
        Volatile.Write(ref _reportedBacklog, backlogged);
        lock (_lock)
        {
            BudgetRates limits = DeclaredLimits().Times(_options.Headroom);
            bool current = _lease is not null && _leaseExpires > _time.GetTimestamp();
            TimeSpan pause = _pause;
            _pause = TimeSpan.Zero;

            // Demand: all of the limit while callers wait (the allocator gives the fair share of it), otherwise what
            // was asked for lately with room to grow, and at least one request (or token) a second so a quiet holder
            // keeps a foothold.
            BudgetRates wants = backlogged
                ? limits.Times(1.0 / 60)
                : new BudgetRates(Recent(asked), Recent(input + output), Recent(input), Recent(output));
            Volatile.Write(ref _reportedRequests, wants.Requests ?? 0);
            return (new CapacityRequest(_lane, _holder, limits, wants, current ? _lease!.GrantedPerSecond : default, pause), new Taken(asked, input, output, pause));
        }

        double Recent(long count) => Math.Max(1.0, count / seconds * 1.5);
    }

    private void Apply(CapacityLease lease, long sent)
    {
        lock (_lock)
        {
            _lease = lease;
            _leaseExpires = sent + (long)(lease.Duration.TotalSeconds * _time.TimestampFrequency);
            _expiry.Change(UntilExpiryLocked() + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan); // spends nothing past it, whatever the loop is doing
        }

        _local.Share(lease.LimitsPerMinute, lease.GrantedPerSecond);
        if (lease.Pause > TimeSpan.Zero)
        {
            _local.PauseFor(lease.Pause);
        }
    }

    private void ExpireIfDue()
    {
        if (UntilExpiry() <= TimeSpan.Zero)
        {
            Expire();
        }
    }

    /// <summary>The lease ran out without a renewal: spend nothing more until one succeeds.</summary>
    private void Expire()
    {
        CapacityLease? lease;
        lock (_lock)
        {
            if (_lease is null || _leaseExpires > _time.GetTimestamp())
            {
                return; // renewed meanwhile
            }

            lease = _lease;
            _lease = null;
        }

        if (lease is not null)
        {
            _local.Share(lease.LimitsPerMinute, lease.GrantedPerSecond.Zeroed());
        }
    }

    private TimeSpan UntilExpiry()
    {
        lock (_lock)
        {
            return UntilExpiryLocked();
        }
    }

    private TimeSpan UntilExpiryLocked()
    {
        if (_lease is null)
        {
            return TimeSpan.MaxValue;
        }

        long now = _time.GetTimestamp();
        return _leaseExpires > now ? _time.GetElapsedTime(now, _leaseExpires) : TimeSpan.Zero;
    }

}
