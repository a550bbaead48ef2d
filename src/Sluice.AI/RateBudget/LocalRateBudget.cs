using System.Threading.RateLimiting;

namespace Sluice.AI;

/// <summary>
/// The in-process <see cref="RateBudget"/>: a requests-per-minute and tokens-per-minute budget, as a
/// <see cref="RateLimiter"/> driven by a <see cref="TimeProvider"/>. One acquisition is one request; its permit count is the request's estimated token
/// cost. Waiters are served strictly first come, first served.
/// </summary>
/// <remarks>
/// <para>Both budgets are continuous token buckets (capacity <c>limit ÷ 60 × BurstSeconds</c>, refilled at
/// <c>limit ÷ 60</c> per second). A cost larger than the bucket can hold is clamped to its capacity, so no call
/// waits forever and none is refused for being large.</para>
/// <para>After the call, <see cref="Reconcile(TokenCost, TokenCost)"/> settles the estimate against the provider's reported usage: the
/// difference is refunded or debited (the balance may go negative, which delays later callers).
/// <see cref="Observe"/> lowers the balances to what the provider's <c>x-ratelimit-remaining-*</c> headers say and
/// adopts its limits when none were configured. <see cref="PauseFor"/> (after a 429) holds every caller until the
/// provider's <c>Retry-After</c> has passed.</para>
/// </remarks>
public sealed class LocalRateBudget : RateBudget
{
    private static readonly RateLimitLease Granted = new BudgetLease(true, null);
    private readonly RateBudgetOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private TokenBucket? _requests;
    private TokenBucket? _tokens;
    private TokenBucket? _input;
    private TokenBucket? _output;
    private ITimer? _timer;
    private long _pausedUntil;
    private long _granted;
    private long _rejected;
    private long _pauses;
    private long _estimatedTokens;
    private long _actualTokens;
    private long _refundedTokens;
    private long _debitedTokens;
    private bool _disposed;

    /// <summary>Creates a budget.</summary>
    /// <param name="options">The limits.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public LocalRateBudget(RateBudgetOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone(); // later changes to the caller's options do not reach a running budget
        _time = timeProvider ?? TimeProvider.System;
        long now = _time.GetTimestamp();
        _pausedUntil = now;
        if (_options.RequestsPerMinute is { } rpm)
        {
            _requests = new TokenBucket(rpm, _options.BurstSeconds, _options.Headroom, _options.InitialFill, now);
        }

        if (_options.TokensPerMinute is { } tpm)
        {
            _tokens = new TokenBucket(tpm, TokenBurstSeconds(_options), _options.Headroom, _options.InitialFill, now);
        }

        if (_options.InputTokensPerMinute is { } itpm)
        {
            _input = new TokenBucket(itpm, TokenBurstSeconds(_options), _options.Headroom, _options.InitialFill, now);
        }

        if (_options.OutputTokensPerMinute is { } otpm)
        {
            _output = new TokenBucket(otpm, TokenBurstSeconds(_options), _options.Headroom, _options.InitialFill, now);
        }
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => null;

    /// <inheritdoc />
    /// <remarks>True once a tokens-per-minute limit (in total, input or output) is configured or learned from the
    /// provider's headers.</remarks>
    public override bool BudgetsTokens => Volatile.Read(ref _tokens) is not null || Volatile.Read(ref _input) is not null || Volatile.Read(ref _output) is not null;

    /// <inheritdoc />
    public override RateBudgetSnapshot Snapshot
    {
        get
        {
            lock (_lock)
            {
                Refill(_time.GetTimestamp());
                return new RateBudgetSnapshot(
                    _requests?.LimitPerMinute,
                    _tokens?.LimitPerMinute,
                    _requests?.Available,
                    _tokens?.Available,
                    _waiters.Count,
                    _granted,
                    _pauses,
                    _estimatedTokens,
                    _actualTokens,
                    _refundedTokens,
                    _debitedTokens);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Without the two parts, the tokens count as input.</remarks>
    public override void Reconcile(long estimatedTokens, long actualTokens) =>
        Reconcile(new TokenCost(estimatedTokens, 0), new TokenCost(actualTokens, 0));

    /// <inheritdoc />
    public override void Reconcile(TokenCost estimated, TokenCost actual)
    {
        lock (_lock)
        {
            _estimatedTokens += estimated.Total;
            _actualTokens += actual.Total;

            // Settle against what was actually taken: a cost larger than the bucket was clamped when acquired.
            long taken = _tokens is null ? estimated.Total : (long)Math.Ceiling(_tokens.Clamp(estimated.Total));
            long delta = taken - actual.Total;
            if (delta > 0)
            {
                _refundedTokens += delta;
            }
            else
            {
                _debitedTokens -= delta;
            }

            Refill(_time.GetTimestamp());
            _tokens?.Adjust(delta);
            _input?.Adjust(Math.Ceiling(_input.Clamp(estimated.Input)) - actual.Input);
            _output?.Adjust(Math.Ceiling(_output.Clamp(estimated.Output)) - actual.Output);
            ServeLocked();
        }
    }

    /// <inheritdoc />
    public override void PauseFor(TimeSpan retryAfter)
    {
        if (retryAfter <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            long now = _time.GetTimestamp();
            long until = now + (long)(retryAfter.TotalSeconds * _time.TimestampFrequency);
            if (until > _pausedUntil)
            {
                if (now >= _pausedUntil)
                {
                    _pauses++; // a new pause, not an extension of the one in force
                }

                _pausedUntil = until;
            }

            ServeLocked();
        }
    }

    /// <inheritdoc />
    public override void Observe(RateLimitHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            Refill(now);
            if (_requests is null && headers.LimitRequests is > 0 && _options.RequestsPerMinute is null)
            {
                _requests = new TokenBucket(headers.LimitRequests.Value, _options.BurstSeconds, _options.Headroom, _options.InitialFill, now);
            }

            if (_tokens is null && headers.LimitTokens is > 0 && _options.TokensPerMinute is null)
            {
                Volatile.Write(ref _tokens, new TokenBucket(headers.LimitTokens.Value, TokenBurstSeconds(_options), _options.Headroom, _options.InitialFill, now));
                TokenEstimator.Preload(); // estimates are needed from now on
            }

            if (headers.RemainingRequests is { } requests)
            {
                _requests?.LowerTo(requests);
            }

            if (headers.RemainingTokens is { } tokens)
            {
                _tokens?.LowerTo(tokens);
            }

            ServeLocked();
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill(_time.GetTimestamp());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)(_tokens?.Available ?? long.MaxValue),
                CurrentQueuedCount = _waiters.Count,
                TotalSuccessfulLeases = _granted,
                TotalFailedLeases = _rejected,
            };
        }
    }

    /// <inheritdoc />
    /// <remarks>The permit count counts as input tokens.</remarks>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var cost = new TokenCost(permitCount, 0);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = _time.GetTimestamp();
            if (_waiters.Count == 0 && SecondsUntil(cost, now) <= 0)
            {
                Take(cost);
                return Granted;
            }

            _rejected++;
            return new BudgetLease(false, RetryHint(SecondsUntil(cost, now)));
        }
    }

    /// <inheritdoc />
    /// <remarks>The permit count counts as input tokens.</remarks>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        Acquire(new TokenCost(permitCount, 0), cancellationToken);

    /// <inheritdoc />
    public override ValueTask<RateLimitLease> AcquireAsync(TokenCost cost, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost.Input, nameof(cost));
        ArgumentOutOfRangeException.ThrowIfNegative(cost.Output, nameof(cost));
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RateLimitLease>(cancellationToken)
            : Acquire(cost, cancellationToken);
    }

    private ValueTask<RateLimitLease> Acquire(TokenCost cost, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = _time.GetTimestamp();
            if (_waiters.Count == 0 && SecondsUntil(cost, now) <= 0)
            {
                Take(cost);
                return new ValueTask<RateLimitLease>(Granted);
            }

            if (_waiters.Count >= _options.QueueLimit)
            {
                _rejected++;
                return new ValueTask<RateLimitLease>(new BudgetLease(false, RetryHint(SecondsUntil(cost, now))));
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(cost);
            _waiters.Enqueue(waiter);
            ServeLocked();
        }

        return new ValueTask<RateLimitLease>(WaitAsync(waiter, cancellationToken));
    }

    private async Task<RateLimitLease> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static (s, token) =>
               {
                   var (budget, waiting) = ((LocalRateBudget, Waiter))s!;
                   if (waiting.TrySetCanceled(token))
                   {
                       budget.OnTimer(); // the head may have left: let the next waiter through now, not at the head's turn
                   }
               }, (this, waiter)))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            _disposed = true;
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(RateBudget)));
            }

            _timer?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Applies a share of limits kept elsewhere (see <see cref="SharedRateBudget"/>): each bucket refills at
    /// the granted rate from now on; a <see langword="null"/> rate means the lane has no limit in that dimension. The
    /// limits are kept for <see cref="Snapshot"/>.</summary>
    /// <param name="limitsPerMinute">The lane's limits.</param>
    /// <param name="ratesPerSecond">This budget's share of them.</param>
    /// <param name="empty">Start the balances at zero (before the first share is known).</param>
    internal void Share(BudgetRates limitsPerMinute, BudgetRates ratesPerSecond, bool empty = false)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            Refill(now);
            _requests = Apply(_requests, limitsPerMinute.Requests, ratesPerSecond.Requests, _options.BurstSeconds);
            Volatile.Write(ref _tokens, Apply(_tokens, limitsPerMinute.Tokens, ratesPerSecond.Tokens, TokenBurstSeconds(_options)));
            Volatile.Write(ref _input, Apply(_input, limitsPerMinute.InputTokens, ratesPerSecond.InputTokens, TokenBurstSeconds(_options)));
            Volatile.Write(ref _output, Apply(_output, limitsPerMinute.OutputTokens, ratesPerSecond.OutputTokens, TokenBurstSeconds(_options)));
            ServeLocked();

            TokenBucket? Apply(TokenBucket? bucket, double? limit, double? rate, double burstSeconds)
            {
                if (limit is not { } perMinute || rate is not { } perSecond)
                {
                    return null;
                }

                int whole = (int)Math.Clamp(Math.Round(perMinute), 1, int.MaxValue);
                bucket ??= new TokenBucket(whole, burstSeconds, 1.0, 0.0, now);
                if (bucket.LimitPerMinute != whole)
                {
                    bucket.SetLimit(whole);
                }

                bucket.SetRate(perSecond);
                if (empty)
                {
                    bucket.LowerTo(0);
                }

                return bucket;
            }
        }
    }

    /// <summary>A retry hint for a refused acquisition; at most a minute (a zero share has no time of its own).</summary>
    private static TimeSpan RetryHint(double seconds) => TimeSpan.FromSeconds(Math.Min(seconds, 60));

    /// <summary>The token budget holds at least a second of tokens, so that one ordinary call fits in it whole.</summary>
    private static double TokenBurstSeconds(RateBudgetOptions options) => Math.Max(options.BurstSeconds, 1.0);

    private void Refill(long now)
    {
        double frequency = _time.TimestampFrequency;
        _requests?.Refill(now, frequency);
        _tokens?.Refill(now, frequency);
        _input?.Refill(now, frequency);
        _output?.Refill(now, frequency);
    }

    private double SecondsUntil(TokenCost cost, long now)
    {
        Refill(now);
        double pause = _pausedUntil > now ? (_pausedUntil - now) / (double)_time.TimestampFrequency : 0;
        double requests = _requests?.SecondsUntil(1) ?? 0;
        double tokens = _tokens?.SecondsUntil(cost.Total) ?? 0;
        double input = _input?.SecondsUntil(cost.Input) ?? 0;
        double output = _output?.SecondsUntil(cost.Output) ?? 0;
        return Math.Max(Math.Max(pause, requests), Math.Max(tokens, Math.Max(input, output)));
    }

    private void Take(TokenCost cost)
    {
        _requests?.Take(1);
        _tokens?.Take(cost.Total);
        _input?.Take(cost.Input);
        _output?.Take(cost.Output);
        _granted++;
    }

    /// <summary>Serves waiters from the head while the budget allows, then sets the timer for the head's turn.</summary>
    private void ServeLocked()
    {
        long now = _time.GetTimestamp();
        while (_waiters.TryPeek(out var head))
        {
            if (head.Task.IsCompleted)
            {
                _waiters.Dequeue(); // cancelled while waiting
                continue;
            }

            double wait = SecondsUntil(head.Cost, now);
            if (double.IsPositiveInfinity(wait))
            {
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan); // a zero share: the next share serves
                return;
            }

            if (wait > 0)
            {
                _timer ??= _time.CreateTimer(static s => ((LocalRateBudget)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(wait * 1000)), Timeout.InfiniteTimeSpan);
                return;
            }

            _waiters.Dequeue();
            if (head.TrySetResult(Granted))
            {
                Take(head.Cost);
            }
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                ServeLocked();
            }
        }
    }

    private sealed class Waiter(TokenCost cost) : TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public TokenCost Cost { get; } = cost;
    }

    private sealed class BudgetLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = after;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}

/// <summary>A snapshot of a <see cref="RateBudget"/>.</summary>
/// <param name="RequestsPerMinute">The requests limit in force, or <see langword="null"/> for none.</param>
/// <param name="TokensPerMinute">The tokens limit in force, or <see langword="null"/> for none.</param>
/// <param name="AvailableRequests">Requests that may be sent now.</param>
/// <param name="AvailableTokens">Tokens that may be spent now (negative after under-estimates).</param>
/// <param name="Queued">Callers waiting.</param>
/// <param name="Granted">Acquisitions granted so far.</param>
/// <param name="Pauses">Times a 429 paused the budget.</param>
/// <param name="EstimatedTokens">Tokens acquired for calls that have been reconciled.</param>
/// <param name="ActualTokens">Tokens the provider reported for those calls.</param>
/// <param name="RefundedTokens">Tokens given back because estimates were high.</param>
/// <param name="DebitedTokens">Tokens taken in addition because estimates were low.</param>
public sealed record RateBudgetSnapshot(
    int? RequestsPerMinute,
    int? TokensPerMinute,
    double? AvailableRequests,
    double? AvailableTokens,
    int Queued,
    long Granted,
    long Pauses,
    long EstimatedTokens,
    long ActualTokens,
    long RefundedTokens,
    long DebitedTokens);
