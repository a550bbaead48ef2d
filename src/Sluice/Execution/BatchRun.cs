using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Sluice.Execution;

/// <summary>
/// One enumeration of a batch: the run. A pump takes items from the source while admission allows and starts each on
/// the <see cref="AttemptPath{TIn, TOut}"/> (resilience → rate lease → slot → work → outcome); the path hands each
/// result back, and the run files it in the reorder window (ordered) or the completion queue (unordered), from which
/// the consumer takes it (the consumer's side is in <c>BatchRun.Consumer.cs</c>). Everything that can change what the
/// consumer sees happens under <see cref="_lock"/>; user code and continuations run outside it.
/// </summary>
/// <remarks>
/// Admission takes the next item when these counts allow, all kept under the lock: the read-ahead (items taken and not
/// yet handed to the consumer, at most <see cref="BatchOptions.ReadAheadLimit"/>), of which at most 2 × the concurrency
/// may be anything but results held behind an unfinished earlier item, and the work in progress (items taken and not
/// yet finished, at most 2 × the concurrency, or the concurrency itself when the run counts its own slots). So a slow
/// item at the head of the reorder window holds back output, not the workers, and a slow consumer still holds the run
/// to 2 × the concurrency. A waiting
/// pump is resumed by whoever makes room: an item that finishes, or the consumer once it has freed a few places
/// (<see cref="_resumeRoom"/>), so that a fast consumer wakes it once per few items rather than once per item.
/// </remarks>
internal sealed partial class BatchRun<TIn, TOut> : IAsyncEnumerator<ItemResult<TIn, TOut>>, IValueTaskSource<bool>
{
    private readonly IAsyncEnumerable<TIn> _source;
    private readonly AttemptPath<TIn, TOut> _path;
    private readonly BatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimit? _limit; // null: the run counts its own slots (_pending < _inProgressLimit)
    private readonly int _readAheadLimit;
    private readonly int _inProgressLimit;
    private readonly int _workInProgressLimit;
    private readonly int _resumeRoom;
    private readonly PumpSignal _pumpSignal = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationToken _token;
    private readonly CancellationToken _callerToken1;
    private readonly CancellationToken _callerToken2;
    private readonly Lock _lock = new();
    private readonly ReorderWindow<ItemResult<TIn, TOut>>? _reorder;
    private readonly CompletionQueue<ItemResult<TIn, TOut>>? _queue;
    private readonly ProgressPacer? _pacer;

    private ManualResetValueTaskSourceCore<bool> _signal;
    private ItemResult<TIn, TOut> _current;
    private CancellationTokenRegistration _callerRegistration1;
    private CancellationTokenRegistration _callerRegistration2;
    private Activity? _activity;
    private long _startTimestamp;
    private bool _holdingCurrent;

    // The consumer's own: results taken for it under the lock at its last look, served by its next looks without the lock.
    private readonly int _readyLimit;
    private ItemResult<TIn, TOut>[]? _ready;
    private int _readyNext;
    private int _readyEnd;
    private int _handedSinceLook;

    // Guarded by _lock.
    private int _readAhead;
    private bool _pumpWaiting;
    private long _taken;
    private long _completed;
    private long _failed;
    private long? _total;
    private int _pending;
    private long _snapshotSequence;
    private bool _started;
    private bool _pumpDone;
    private bool _stopping;
    private bool _finished;
    private bool _consumerWaiting;
    private Exception? _stopError;
    private ExceptionDispatchInfo? _sourceError;
    private TaskCompletionSource? _drained;

    public BatchRun(
        IAsyncEnumerable<TIn> source,
        long? knownCount,
        Func<TIn, CancellationToken, ValueTask<TOut>> work,
        BatchOptions options,
        CancellationToken callerToken1,
        CancellationToken callerToken2)
    {
        _source = source;
        _options = options;
        _time = options.TimeProvider;
        bool oneAttempt = options.ItemResilience is null && options.RateLimiter is null;
        _limit = options.ConcurrencyLimit ?? (oneAttempt ? null : new FixedConcurrencyLimit(options.MaxConcurrency));
        int readAheadLimit = options.ReadAheadLimit;
        _readAheadLimit = readAheadLimit;
        _workInProgressLimit = options.WorkInProgressLimit;
        _inProgressLimit = _limit is null ? options.MaxConcurrency : _workInProgressLimit;
        _resumeRoom = Math.Clamp(_workInProgressLimit / 4, 1, 64); // ≤ a quarter of either bound: always reachable
        _readyLimit = Math.Min(_resumeRoom, 32) - 1; // taken at one look: no more than the pump waits to be worth waking for
        _token = _cts.Token;
        _path = new AttemptPath<TIn, TOut>(this, work, options, _limit, _token);
        _callerToken1 = callerToken1;
        _callerToken2 = callerToken2;
        _total = options.ExpectedCount ?? knownCount;
        _signal.RunContinuationsAsynchronously = true;

        // Nothing beyond the read-ahead is ever outstanding, so either can hold every result not yet handed out.
        if (options.Ordered)
        {
            _reorder = new ReorderWindow<ItemResult<TIn, TOut>>(readAheadLimit);
        }
        else
        {
            _queue = new CompletionQueue<ItemResult<TIn, TOut>>(readAheadLimit);
        }

        if (options.Progress is { } progress)
        {
            _pacer = new ProgressPacer(progress, _time, options.ProgressInterval, _lock);
        }
    }

    /// <summary>
    /// Runs pump code on the consumer's thread without the consumer's synchronization context (a UI thread's, say),
    /// so that it never leaks into the work the pump starts.
    /// </summary>
    private static void RunOutsideCallerContext(Action<BatchRun<TIn, TOut>> action, BatchRun<TIn, TOut> run)
    {
        var context = SynchronizationContext.Current;
        if (context is null)
        {
            action(run);
            return;
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            action(run);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    private void Start()
    {
        _started = true;
        _startTimestamp = _time.GetTimestamp();
        _callerRegistration1 = _callerToken1.UnsafeRegister(static s => ((BatchRun<TIn, TOut>)s!).OnCallerCancelled(), this);
        _callerRegistration2 = _callerToken2.UnsafeRegister(static s => ((BatchRun<TIn, TOut>)s!).OnCallerCancelled(), this);

        // The activity becomes the parent of everything the pump and the items do, but not of the caller's code.
        var previous = Activity.Current;
        _activity = SluiceDiagnostics.ActivitySource.StartActivity("sluice.batch");
        _activity?.SetTag("sluice.read_ahead", _options.ReadAheadLimit);
        _activity?.SetTag("sluice.ordered", _options.Ordered);
        RunOutsideCallerContext(static run => _ = run.PumpAsync(), this);
        Activity.Current = previous;
    }

    private void OnCallerCancelled()
    {
        lock (_lock)
        {
            if (!_stopping)
            {
                _stopping = true;
                _stopError = new OperationCanceledException(
                    "The batch was cancelled by the caller.",
                    _callerToken1.IsCancellationRequested ? _callerToken1 : _callerToken2);
            }
        }

        CancelRun();
    }

    /// <summary>
    /// Takes items from the source while admission allows and starts each on its <see cref="AttemptPath{TIn, TOut}"/>.
    /// With one plain attempt per item the run's own slot count (or the pump's wait for a slot of a given limit) keeps
    /// at most the concurrency running.
    /// </summary>
    private async Task PumpAsync()
    {
        Exception? sourceError = null;
        bool reserved = false; // a place taken by ReserveOrWait and not yet given to an item
        try
        {
            var items = _source.GetAsyncEnumerator(_token);
            var syncItems = items as SyncSourceEnumerator<TIn>; // a synchronous source: no ValueTask per item
            await using (items.ConfigureAwait(false))
            {
                long index = ReserveOrWait(out short version);
                while (true)
                {
                    while (index == Wait)
                    {
                        await new ValueTask(_pumpSignal, version).ConfigureAwait(false);
                        index = ReserveOrWait(out version);
                    }

                    if (index == Stop)
                    {
                        break;
                    }

                    reserved = true;
                    if (!(syncItems is not null ? syncItems.MoveNext() : await items.MoveNextAsync().ConfigureAwait(false)))
                    {
                        break;
                    }

                    TIn item = syncItems is not null ? syncItems.Current : items.Current;
                    if (_token.IsCancellationRequested)
                    {
                        break; // stopped while the source was producing this item
                    }

                    if (_limit is null)
                    {
                        // The reservation included the run's own slot. Work that completes synchronously is filed, and
                        // the next place reserved, in one section of the lock.
                        reserved = false;
                        index = _path.TryRunInSlot(index, item, out var result, out long now)
                            ? FinishAndReserve(result, now, out version)
                            : ReserveOrWait(out version);
                        continue;
                    }

                    if (!_path.SlotBeforeStart)
                    {
                        reserved = false;
                        _ = _path.RunAsync(index, item);
                        index = ReserveOrWait(out version);
                        continue;
                    }

                    await _path.TakeSlotAsync().ConfigureAwait(false);
                    if (_token.IsCancellationRequested)
                    {
                        _path.ReturnUnusedSlot();
                        break;
                    }

                    reserved = false;
                    _path.StartWithSlot(index, item);
                    index = ReserveOrWait(out version);
                }
            }
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested)
        {
            // Stopping: cancellation of the pump itself is not an error of the source.
        }
        catch (Exception ex)
        {
            sourceError = ex;
        }

        OnPumpDone(sourceError, reserved);
    }

    private const long Wait = -1, Stop = -2;

    /// <summary>
    /// Takes a place for the next item when admission allows: one in the read-ahead, one in the work in progress (which
    /// is the slot itself when the run counts its own), and its index. Otherwise arms the pump's signal and returns
    /// <see cref="Wait"/>; <see cref="Stop"/> once the run stops.
    /// </summary>
    private long ReserveOrWait(out short version)
    {
        lock (_lock)
        {
            return ReserveOrWaitLocked(out version);
        }
    }

    private long ReserveOrWaitLocked(out short version)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        version = 0;
        if (_token.IsCancellationRequested)
        {
            return Stop;
        }

        if (AdmitsLocked(room: 1))
        {
            _readAhead++;
            _pending++;
            return _taken++;
        }

        _pumpWaiting = true;
        version = _pumpSignal.Arm();
        return Wait;
    }

    /// <summary>Whether a waiting pump should resume now; if so it is no longer waiting. Call under the lock.</summary>
    /// <param name="room">Free places in the read-ahead the pump needs to be worth waking.</param>
    private bool ResumePumpLocked(int room)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        if (!_pumpWaiting || (!_token.IsCancellationRequested && !AdmitsLocked(room)))
        {
            return false;
        }

        _pumpWaiting = false;
        return true;
    }

    /// <summary>
    /// Whether admission has <paramref name="room"/> free places. The read-ahead beyond 2 × the concurrency is only for
    /// results held behind an unfinished earlier item: results the consumer could take now (and the one it holds) count
    /// against 2 × the concurrency, as unordered, so a slow consumer never makes the run hold more. Call under the lock.
    /// </summary>
    private bool AdmitsLocked(int room)
    {
        int heldBehindHead = _reorder?.HeldBehindHead ?? 0;
        return _pending < _inProgressLimit
               && _readAhead <= _readAheadLimit - room
               && _readAhead - heldBehindHead <= _workInProgressLimit - room;
    }

    /// <summary>Resumes the waiting pump on this thread, outside any caller's synchronization context.</summary>
    private void ResumePump() => RunOutsideCallerContext(static run => run._pumpSignal.Set(), this);

    /// <summary>Called by the path when an item failed, before its slot is given back: with fail-fast the first failure
    /// stops the run and cancels the token handed to the other items.</summary>
    internal void OnItemFailed(Exception error)
    {
        if (!_options.FailFast)
        {
            return;
        }

        bool cancelRun = false;
        lock (_lock)
        {
            if (!_stopping)
            {
                _stopping = true;
                _stopError = error;
                cancelRun = true;
            }
        }

        if (cancelRun)
        {
            CancelRun();
        }
    }

    /// <summary>Called by the path with an item's result, once the item is done with the token and the limit: files the
    /// result for the consumer, reports progress when due, and wakes a waiting consumer.</summary>
    /// <param name="result">The item's result.</param>
    /// <param name="now">The timestamp at which the item finished (for progress pacing).</param>
    internal void OnItemFinished(in ItemResult<TIn, TOut> result, long now)
    {
        Wake wake;
        BatchProgress? snapshot;
        long sequence;
        bool resumePump;
        lock (_lock)
        {
            FileLocked(result, now, out snapshot, out sequence);
            wake = WakeLocked();
            resumePump = ResumePumpLocked(room: 1);
        }

        AfterFiling(wake, snapshot, sequence, resumePump);
    }

    /// <summary>The pump's part for work that completed synchronously on its own thread: files the result as
    /// <see cref="OnItemFinished"/> does and reserves the next place as <see cref="ReserveOrWait"/> does, in one section
    /// of the lock.</summary>
    /// <returns>The next item's index, <see cref="Wait"/> or <see cref="Stop"/>, as <see cref="ReserveOrWait"/>.</returns>
    internal long FinishAndReserve(in ItemResult<TIn, TOut> result, long now, out short version)
    {
        Wake wake;
        BatchProgress? snapshot;
        long sequence;
        long next;
        lock (_lock)
        {
            FileLocked(result, now, out snapshot, out sequence);
            wake = WakeLocked();
            next = ReserveOrWaitLocked(out version); // the pump is this thread: no one to resume
        }

        AfterFiling(wake, snapshot, sequence, resumePump: false);
        return next;
    }

    /// <summary>Counts a finished item, files its result for the consumer and says whether progress is due. Call under the lock.</summary>
    private void FileLocked(in ItemResult<TIn, TOut> result, long now, out BatchProgress? snapshot, out long sequence)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        snapshot = null;
        sequence = 0;
        _pending--;
        if (result.Error is null)
        {
            _completed++;
        }
        else
        {
            _failed++;
        }

        if (!_stopping)
        {
            if (_reorder is not null)
            {
                _reorder.Put(result.Index, result);
            }
            else
            {
                _queue!.Put(result);
            }
        }

        if (_pacer is not null && _pacer.IsDue(now))
        {
            snapshot = SnapshotLocked(out sequence);
        }
    }

    /// <summary>Reports progress, wakes the consumer and resumes the pump, as decided under the lock.</summary>
    private void AfterFiling(Wake wake, BatchProgress? snapshot, long sequence, bool resumePump)
    {
        try
        {
            if (snapshot is not null)
            {
                _pacer!.Report(snapshot, sequence);
            }
        }
        finally
        {
            Deliver(wake);
            if (resumePump)
            {
                ResumePump();
            }
        }
    }

    /// <summary>Cancels the token handed to the work and wakes a waiting pump so that it stops. An exception thrown by a
    /// callback the work registered on the token must not stop the run from finishing, so it is dropped.</summary>
    private void CancelRun()
    {
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
        }

        bool resumePump;
        lock (_lock)
        {
            resumePump = ResumePumpLocked(room: 1);
        }

        if (resumePump)
        {
            ResumePump();
        }
    }

    /// <param name="sourceError">What the source threw, if anything.</param>
    /// <param name="reserved">Whether the pump holds a place it gave to no item (the source ended or the run stopped).</param>
    private void OnPumpDone(Exception? sourceError, bool reserved)
    {
        Wake wake;
        lock (_lock)
        {
            if (reserved)
            {
                _readAhead--;
                _pending--;
                _taken--;
            }

            _pumpDone = true;
            if (sourceError is not null)
            {
                _sourceError = ExceptionDispatchInfo.Capture(sourceError);
            }
            else if (!_stopping)
            {
                _total = _taken;
            }

            wake = WakeLocked();
        }

        Deliver(wake);
    }
}

/// <summary>What the pump awaits while admission is closed. Set by whoever makes room; the pump resumes on that thread.</summary>
internal sealed class PumpSignal : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core;

    /// <summary>Readies the signal for one wait and returns its version. Call before anyone can set it.</summary>
    public short Arm()
    {
        _core.Reset();
        return _core.Version;
    }

    public void Set() => _core.SetResult(true);

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
