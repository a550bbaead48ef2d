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
    private readonly int _pumpGroup;
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

    // The pump's own: results of work that completed synchronously on the pump, not yet filed (see PumpGroupLimit).
    private ItemResult<TIn, TOut>[]? _pumpFinished;
    private int _pumpFinishedCount;
    private long _pumpFinishedNow;

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
        // Reports after every item (a zero interval) need every result filed as it finishes.
        bool everyItemReported = options.Progress is not null && options.ProgressInterval == TimeSpan.Zero;
        _pumpGroup = _limit is null && knownCount is not null && !everyItemReported ? PumpGroupLimit : 1;
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

        if (_limit is null)
        {
            _pumpFinished = new ItemResult<TIn, TOut>[_pumpGroup];
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
        int places = 0; // places taken by ReserveOrWait and not yet given to an item, the next at index
        try
        {
            var items = _source.GetAsyncEnumerator(_token);
            var syncItems = items as SyncSourceEnumerator<TIn>; // a synchronous source: no ValueTask per item
            await using (items.ConfigureAwait(false))
            {
                long index = ReserveOrWait(out places, out short version);
                while (true)
                {
                    while (index == Wait)
                    {
                        await new ValueTask(_pumpSignal, version).ConfigureAwait(false);
                        index = ReserveOrWait(out places, out version);
                    }

                    if (index == Stop)
                    {
                        break;
                    }

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
                        // The reservation included the run's own slot. Work that completes synchronously is kept by the
                        // pump; its results are filed, and the next places reserved, in one section of the lock once
                        // the places reserved are used.
                        if (_path.TryRunInSlot(index, item, out _pumpFinished![_pumpFinishedCount], out long now))
                        {
                            _pumpFinishedCount++;
                            _pumpFinishedNow = now;
                        }

                        index++;
                        if (--places == 0)
                        {
                            index = FinishAndReserve(out places, out version);
                        }

                        continue;
                    }

                    // One place at a time here (the pump groups places only when the run counts its own slots).
                    if (!_path.SlotBeforeStart)
                    {
                        places = 0;
                        _ = _path.RunAsync(index, item);
                        index = ReserveOrWait(out places, out version);
                        continue;
                    }

                    await _path.TakeSlotAsync().ConfigureAwait(false);
                    if (_token.IsCancellationRequested)
                    {
                        _path.ReturnUnusedSlot();
                        break;
                    }

                    places = 0;
                    _path.StartWithSlot(index, item);
                    index = ReserveOrWait(out places, out version);
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

        OnPumpDone(sourceError, places);
    }

    private const long Wait = -1, Stop = -2;

    /// <summary>
    /// How many places the pump reserves at once, and so how many results of work that completed synchronously it keeps
    /// before filing them in one section of the lock, when the run counts its own slots and the source is a collection
    /// (it knows its count without being enumerated, so taking an item from it does not wait for anything). Otherwise
    /// the pump reserves one place at a time and files each result at once, so that a source that waits (a pipe, a
    /// network) never holds back results that are finished; so it does when progress is reported after every item.
    /// </summary>
    internal const int PumpGroupLimit = 16;

    /// <summary>
    /// Takes places for the next items when admission allows: for each, one in the read-ahead, one in the work in progress
    /// (which is the slot itself when the run counts its own), and an index. As many as admission allows up to
    /// <see cref="_pumpGroup"/>; returns the first index and how many (<paramref name="places"/>). Otherwise arms the
    /// pump's signal and returns <see cref="Wait"/>; <see cref="Stop"/> once the run stops.
    /// </summary>
    private long ReserveOrWait(out int places, out short version)
    {
        lock (_lock)
        {
            return ReserveOrWaitLocked(out places, out version);
        }
    }

    private long ReserveOrWaitLocked(out int places, out short version)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        version = 0;
        places = 0;
        if (_token.IsCancellationRequested)
        {
            return Stop;
        }

        int room = RoomLocked();
        if (room > 0)
        {
            places = Math.Min(room, _pumpGroup);
            _readAhead += places;
            _pending += places;
            long first = _taken;
            _taken += places;
            return first;
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

    /// <summary>Whether admission has <paramref name="room"/> free places. Call under the lock.</summary>
    private bool AdmitsLocked(int room) => RoomLocked() >= room;

    /// <summary>
    /// How many places admission has free: in the work in progress (or slots, when the run counts its own) and in the
    /// read-ahead. The read-ahead beyond 2 × the concurrency is only for results held behind an unfinished earlier item:
    /// results the consumer could take now (and the one it holds) count against 2 × the concurrency, as unordered, so a
    /// slow consumer never makes the run hold more. Call under the lock.
    /// </summary>
    private int RoomLocked()
    {
        int heldBehindHead = _reorder?.HeldBehindHead ?? 0;
        return Math.Min(
            _inProgressLimit - _pending,
            Math.Min(_readAheadLimit - _readAhead, _workInProgressLimit - (_readAhead - heldBehindHead)));
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

    /// <summary>The pump's part once it has used the places it reserved: files the results of work that completed
    /// synchronously on its own thread as <see cref="OnItemFinished"/> does and reserves the next places as
    /// <see cref="ReserveOrWait"/> does, in one section of the lock.</summary>
    /// <returns>The next item's index, <see cref="Wait"/> or <see cref="Stop"/>, as <see cref="ReserveOrWait"/>.</returns>
    private long FinishAndReserve(out int places, out short version)
    {
        Wake wake;
        BatchProgress? snapshot;
        long sequence;
        long next;
        lock (_lock)
        {
            FilePumpFinishedLocked(out snapshot, out sequence);
            wake = WakeLocked();
            next = ReserveOrWaitLocked(out places, out version); // the pump is this thread: no one to resume
        }

        AfterFiling(wake, snapshot, sequence, resumePump: false);
        return next;
    }

    /// <summary>Files the results the pump kept, as <see cref="FileLocked"/> does. Call under the lock, on the pump.</summary>
    private void FilePumpFinishedLocked(out BatchProgress? snapshot, out long sequence)
    {
        snapshot = null;
        sequence = 0;
        var finished = _pumpFinished!;
        int count = _pumpFinishedCount;
        _pumpFinishedCount = 0;
        for (int i = 0; i < count; i++)
        {
            FileLocked(finished[i], _pumpFinishedNow, out var due, out long dueSequence);
            finished[i] = default;
            if (due is not null)
            {
                (snapshot, sequence) = (due, dueSequence);
            }
        }
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
    /// <param name="places">Places the pump holds and gave to no item (the source ended or the run stopped); they are
    /// the last taken.</param>
    private void OnPumpDone(Exception? sourceError, int places)
    {
        Wake wake;
        BatchProgress? snapshot = null;
        long sequence = 0;
        lock (_lock)
        {
            if (_pumpFinishedCount > 0)
            {
                FilePumpFinishedLocked(out snapshot, out sequence);
            }

            _readAhead -= places;
            _pending -= places;
            _taken -= places;

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

        AfterFiling(wake, snapshot, sequence, resumePump: false);
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
