using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Sluice.Execution;

/// <summary>
/// One enumeration of a batch: the run. A pump takes items from the source while the read-ahead has room and starts
/// each on the <see cref="AttemptPath{TIn, TOut}"/> (resilience → rate lease → slot → work → outcome); the path hands
/// each result back, and the run files it in the reorder window (ordered) or the completion queue (unordered), from
/// which the consumer takes it (the consumer's side is in <c>BatchRun.Consumer.cs</c>). Everything that can change
/// what the consumer sees happens under <see cref="_lock"/>; user code and continuations run outside it.
/// </summary>
internal sealed partial class BatchRun<TIn, TOut> : IAsyncEnumerator<ItemResult<TIn, TOut>>, IValueTaskSource<bool>
{
    private readonly IAsyncEnumerable<TIn> _source;
    private readonly AttemptPath<TIn, TOut> _path;
    private readonly BatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimit _limit;
    private readonly AsyncSemaphore _readAhead;
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

    // Guarded by _lock.
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
        _limit = options.ConcurrencyLimit ?? new FixedConcurrencyLimit(options.MaxConcurrency);
        int readAheadLimit = options.ReadAheadLimit;
        _readAhead = new AsyncSemaphore(readAheadLimit);
        _token = _cts.Token;
        _path = new AttemptPath<TIn, TOut>(this, work, options, _limit, _token);
        _callerToken1 = callerToken1;
        _callerToken2 = callerToken2;
        _total = options.ExpectedCount ?? knownCount;
        _signal.RunContinuationsAsynchronously = true;

        // Nothing beyond the read-ahead is ever outstanding, so either holds every result not yet handed out.
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
    /// Takes items from the source while the read-ahead has room and starts each on its <see cref="AttemptPath{TIn, TOut}"/>.
    /// With one plain attempt per item the pump also waits for the item's concurrency slot before it takes the next.
    /// </summary>
    private async Task PumpAsync()
    {
        Exception? sourceError = null;
        try
        {
            var items = _source.GetAsyncEnumerator(_token);
            await using (items.ConfigureAwait(false))
            {
                while (true)
                {
                    await _readAhead.WaitAsync(_token).ConfigureAwait(false);
                    if (_token.IsCancellationRequested || !await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    TIn item = items.Current;
                    if (_token.IsCancellationRequested)
                    {
                        break; // stopped while the source was producing this item
                    }

                    if (!_path.SlotBeforeStart)
                    {
                        _ = _path.RunAsync(Register(), item);
                        continue;
                    }

                    await _path.TakeSlotAsync().ConfigureAwait(false);
                    if (_token.IsCancellationRequested)
                    {
                        _path.ReturnUnusedSlot();
                        break;
                    }

                    _path.StartWithSlot(Register(), item);
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

        OnPumpDone(sourceError);
    }

    /// <summary>Counts a started item as pending and gives it its index in the source.</summary>
    private long Register()
    {
        lock (_lock)
        {
            _pending++;
            return _taken++;
        }
    }

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
    internal void OnItemFinished(in ItemResult<TIn, TOut> result)
    {
        Wake wake;
        BatchProgress? snapshot = null;
        long sequence = 0;
        lock (_lock)
        {
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

            if (_pacer is not null && _pacer.IsDue(_time.GetTimestamp()))
            {
                snapshot = SnapshotLocked(out sequence);
            }

            wake = WakeLocked();
        }

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
        }
    }

    /// <summary>Cancels the token handed to the work. An exception thrown by a callback the work registered on it must
    /// not stop the run from finishing, so it is dropped.</summary>
    private void CancelRun()
    {
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
        }
    }

    private void OnPumpDone(Exception? sourceError)
    {
        Wake wake;
        lock (_lock)
        {
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
