using System.Threading.RateLimiting;
using Polly;

namespace Sluice.Execution;

/// <summary>
/// The path of one admitted item, in the order the stages run:
/// <b>resilience</b> (the optional Polly pipeline, around every attempt) → <b>rate lease</b> (optional, one permit
/// per attempt) → <b>concurrency slot</b> (held only while the work runs) → <b>work</b> → <b>outcome</b> (telemetry,
/// the slot's feedback, the result handed to the run). One instance per run: it holds the stages, the run holds the
/// items and their output.
/// </summary>
/// <remarks>
/// There are two ways along the path. With neither a resilience pipeline nor a rate limiter there is exactly one
/// attempt, so the pump takes the slot before it starts the item (<see cref="SlotBeforeStart"/>, then
/// <see cref="StartWithSlot"/>), and an item whose work completes synchronously allocates nothing. Otherwise the item
/// runs on its own (<see cref="RunAsync"/>): each attempt takes its lease and then its slot, and gives the slot back
/// before the pipeline waits to retry. When the run owns its limit (a plain <see cref="BatchOptions.MaxConcurrency"/>, one
/// attempt), there is no limit object at all: the run counts the slots under its own lock with the rest of admission,
/// and the path only runs the work (<c>limit</c> is <see langword="null"/>).
/// </remarks>
internal sealed class AttemptPath<TIn, TOut>
{
    private readonly BatchRun<TIn, TOut> _run;
    private readonly Func<TIn, CancellationToken, ValueTask<TOut>> _work;
    private readonly ConcurrencyLimit? _limit;
    private readonly RateLimiter? _rateLimiter;
    private readonly ResiliencePipeline? _resilience;
    private readonly TimeProvider _time;
    private readonly CancellationToken _token;
    private int _running; // attempts whose work holds a slot, but for the one the pump itself runs
    private int _runningOnPump; // 1 while the pump runs an item's work itself; written only by the pump (no interlocked)

    public AttemptPath(BatchRun<TIn, TOut> run, Func<TIn, CancellationToken, ValueTask<TOut>> work, BatchOptions options,
        ConcurrencyLimit? limit, CancellationToken token)
    {
        _run = run;
        _work = work;
        _limit = limit;
        _rateLimiter = options.RateLimiter;
        _resilience = options.ItemResilience;
        _time = options.TimeProvider;
        _token = token;
    }

    /// <summary>Whether the pump takes the item's slot before starting it: there is one attempt and nothing before the slot.</summary>
    public bool SlotBeforeStart => _resilience is null && _rateLimiter is null;

    /// <summary>Attempts whose work holds a slot at this moment.</summary>
    public int Running => Volatile.Read(ref _running) + Volatile.Read(ref _runningOnPump);

    // ---- One attempt with the slot the pump took (no resilience, no rate limiter) ----

    /// <summary>Waits for a slot on the pump's behalf, before it starts the next item.</summary>
    public ValueTask TakeSlotAsync() => _limit!.AcquireAsync(_token);

    /// <summary>Gives back a slot the pump took for an item it then did not start.</summary>
    public void ReturnUnusedSlot() => _limit!.Release(new ConcurrencyFeedback(TimeSpan.Zero, Succeeded: false));

    /// <summary>
    /// Runs the item's one attempt in the slot the pump took; no allocation when the work completes synchronously. Work
    /// that completes synchronously is not handed to the run here: its result comes back to the pump, which files it and
    /// reserves the next places in one section of the run's lock (<c>BatchRun.FinishAndReserve</c>).
    /// </summary>
    /// <returns>Whether the work completed synchronously, so that <paramref name="result"/> and <paramref name="now"/>
    /// are set and the caller must file the result; otherwise the item finishes on its own.</returns>
    /// <remarks>Called by the pump only. While the work runs on the pump's thread the attempt counts as running through
    /// a plain field only the pump writes; only work that goes on asynchronously is counted with an interlocked
    /// operation (the thread that finishes it is not the pump).</remarks>
    public bool TryRunInSlot(long index, TIn item, out ItemResult<TIn, TOut> result, out long now)
    {
        EnterSlotOnPump();
        long started = _time.GetTimestamp();
        ValueTask<TOut> work;
        try
        {
            work = _work(item, _token);
        }
        catch (Exception ex)
        {
            result = Complete(index, item, default, ex, 1, started, Slot.OnPump, out now);
            return true;
        }

        if (work.IsCompletedSuccessfully)
        {
            result = Complete(index, item, work.Result, null, 1, started, Slot.OnPump, out now);
            return true;
        }

        // The work goes on without the pump: from now on it counts like any other running attempt. Never counted twice
        // (a snapshot may see it not at all for an instant), so InFlight never exceeds the concurrency.
        Volatile.Write(ref _runningOnPump, 0);
        Interlocked.Increment(ref _running);
        _ = AwaitWorkAsync(index, item, work, started);
        result = default;
        now = 0;
        return false;
    }

    /// <summary>Runs the item's one attempt in the slot the pump took and hands its result to the run whenever it ends.</summary>
    public void StartWithSlot(long index, TIn item)
    {
        if (TryRunInSlot(index, item, out var result, out long now))
        {
            _run.OnItemFinished(result, now);
        }
    }

    private async Task AwaitWorkAsync(long index, TIn item, ValueTask<TOut> work, long started)
    {
        TOut? value = default;
        Exception? error = null;
        try
        {
            value = await work.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Finish(index, item, value, error, 1, started, Slot.Held);
    }

    // ---- Attempts under resilience and a rate limiter ----

    /// <summary>Runs the item through the resilience pipeline (if any); each attempt takes its own lease and slot.</summary>
    public async Task RunAsync(long index, TIn item)
    {
        long started = _time.GetTimestamp();
        var state = new AttemptState(this, item);
        TOut? value = default;
        Exception? error = null;
        try
        {
            value = _resilience is { } pipeline
                ? await pipeline.ExecuteAsync(static (s, ct) => s.Path.AttemptAsync(s, ct), state, _token).ConfigureAwait(false)
                : await AttemptAsync(state, _token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Finish(index, item, value, error, Math.Max(1, state.Count), started, Slot.None);
    }

    /// <summary>One attempt: rate lease, then slot, then the work; the slot is given back as soon as the work ends.</summary>
    private async ValueTask<TOut> AttemptAsync(AttemptState state, CancellationToken cancellationToken)
    {
        state.Count++;
        RateLimitLease? lease = null;
        try
        {
            if (_rateLimiter is { } limiter)
            {
                lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                if (!lease.IsAcquired)
                {
                    TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
                    throw new RateLimitRejectedException(retryAfter);
                }
            }

            await _limit!.AcquireAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _running);
            AddInFlight(1);
            long started = _time.GetTimestamp();
            bool succeeded = false;
            try
            {
                TOut value = await _work(state.Item, cancellationToken).ConfigureAwait(false);
                succeeded = true;
                return value;
            }
            finally
            {
                LeaveSlot(_time.GetElapsedTime(started), succeeded, onPump: false);
            }
        }
        finally
        {
            lease?.Dispose();
        }
    }

    private sealed class AttemptState(AttemptPath<TIn, TOut> path, TIn item)
    {
        public AttemptPath<TIn, TOut> Path { get; } = path;

        public TIn Item { get; } = item;

        public int Count { get; set; }
    }

    // ---- The slot and the outcome, shared by both ways ----

    /// <summary>Whether the attempt that ends holds a slot, and who counts it as running.</summary>
    private enum Slot
    {
        /// <summary>No slot any more: each attempt under resilience gave its own back when its work ended.</summary>
        None,

        /// <summary>A slot the pump took, for work that went on asynchronously (counted in <see cref="_running"/>).</summary>
        Held,

        /// <summary>A slot the pump took, for work that ended on the pump (counted in <see cref="_runningOnPump"/>).</summary>
        OnPump,
    }

    private void EnterSlotOnPump()
    {
        Volatile.Write(ref _runningOnPump, 1);
        AddInFlight(1);
    }

    private static void AddInFlight(int delta)
    {
        if (SluiceDiagnostics.ItemsInFlight.Enabled)
        {
            SluiceDiagnostics.ItemsInFlight.Add(delta);
        }
    }

    /// <summary>The attempt stops counting as running before its slot is handed on: the next item can start inside
    /// <see cref="ConcurrencyLimit.Release"/>, and a progress snapshot taken then must not count both. A slot the run
    /// counts itself is given back with the result, in <see cref="BatchRun{TIn, TOut}.OnItemFinished"/>.</summary>
    private void LeaveSlot(TimeSpan elapsed, bool succeeded, bool onPump)
    {
        if (onPump)
        {
            Volatile.Write(ref _runningOnPump, 0);
        }
        else
        {
            Interlocked.Decrement(ref _running);
        }

        AddInFlight(-1);
        _limit?.Release(new ConcurrencyFeedback(elapsed, succeeded));
    }

    /// <summary>
    /// The outcome of an item. Everything that touches the run's token or the concurrency limit happens before the
    /// result is handed to the run, while the item still counts as pending there, so the consumer cannot conclude
    /// (and dispose the run) before it is done.
    /// </summary>
    private void Finish(long index, TIn item, TOut? value, Exception? error, int attempts, long started, Slot slot) =>
        _run.OnItemFinished(Complete(index, item, value, error, attempts, started, slot, out long now), now);

    /// <summary>Everything of the outcome but handing the result to the run: telemetry, fail-fast, the slot.</summary>
    private ItemResult<TIn, TOut> Complete(long index, TIn item, TOut? value, Exception? error, int attempts, long started, Slot slot, out long now)
    {
        now = _time.GetTimestamp();
        TimeSpan elapsed = _time.GetElapsedTime(started, now);
        RecordTelemetry(error, elapsed);
        if (error is not null)
        {
            _run.OnItemFailed(error);
        }

        if (slot != Slot.None)
        {
            LeaveSlot(elapsed, error is null, onPump: slot == Slot.OnPump);
        }

        return new ItemResult<TIn, TOut>(index, item, value, error, attempts, elapsed);
    }

    private static void RecordTelemetry(Exception? error, TimeSpan elapsed)
    {
        if (error is null)
        {
            if (SluiceDiagnostics.ItemsCompleted.Enabled)
            {
                SluiceDiagnostics.ItemsCompleted.Add(1);
            }
        }
        else if (SluiceDiagnostics.ItemsFailed.Enabled)
        {
            SluiceDiagnostics.ItemsFailed.Add(1);
        }

        if (SluiceDiagnostics.ItemDuration.Enabled)
        {
            SluiceDiagnostics.ItemDuration.Record(elapsed.TotalSeconds);
        }
    }
}
