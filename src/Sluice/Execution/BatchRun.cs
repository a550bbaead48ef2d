using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Sluice.Execution;

/// <summary>
/// One enumeration of a batch: a pump takes items from the source while the window has room, acquires a
/// concurrency slot, starts the work, and files each result in the reorder window (ordered) or the completion
/// queue (unordered), from which the consumer takes them. Everything that can change what the consumer sees
/// happens under one lock; user code and continuations run outside it.
/// </summary>
internal sealed partial class BatchRun<TIn, TOut> : IAsyncEnumerator<ItemResult<TIn, TOut>>, IValueTaskSource<bool>
{
    private readonly IAsyncEnumerable<TIn> _source;
    private readonly Func<TIn, CancellationToken, ValueTask<TOut>> _work;
    private readonly BatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrencyLimit _limit;
    private readonly AsyncSemaphore _window;
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationToken _token;
    private readonly CancellationToken _callerToken1;
    private readonly CancellationToken _callerToken2;
    private readonly Lock _gate = new();
    private readonly ReorderWindow<ItemResult<TIn, TOut>>? _reorder;
    private readonly CompletionQueue<ItemResult<TIn, TOut>>? _queue;
    private readonly bool _attemptsNeedPolicy;
    private readonly ProgressPacer? _pacer;

    private ManualResetValueTaskSourceCore<bool> _signal;
    private ItemResult<TIn, TOut> _current;
    private CancellationTokenRegistration _callerRegistration1;
    private CancellationTokenRegistration _callerRegistration2;
    private Activity? _activity;
    private long _startTimestamp;
    private bool _holdingCurrent;

    // Guarded by _gate.
    private long _taken;
    private long _completed;
    private long _failed;
    private long? _total;
    private int _pending;
    private int _running;
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
        _work = work;
        _options = options;
        _time = options.TimeProvider;
        _limit = options.ConcurrencyLimit ?? new FixedConcurrencyLimit(options.MaxConcurrency);
        int window = options.WindowSize;
        _window = new AsyncSemaphore(window);
        _token = _cts.Token;
        _callerToken1 = callerToken1;
        _callerToken2 = callerToken2;
        _total = options.ExpectedCount ?? knownCount;
        _attemptsNeedPolicy = options.ItemResilience is not null || options.RateLimiter is not null;
        _signal.RunContinuationsAsynchronously = true;
        if (options.Ordered)
        {
            _reorder = new ReorderWindow<ItemResult<TIn, TOut>>(window);
        }
        else
        {
            _queue = new CompletionQueue<ItemResult<TIn, TOut>>(window);
        }

        if (options.Progress is { } progress)
        {
            _pacer = new ProgressPacer(progress, _time, options.ProgressInterval);
        }
    }

    public ItemResult<TIn, TOut> Current => _current;

    public ValueTask<bool> MoveNextAsync()
    {
        if (!_started)
        {
            Start();
        }
        else if (_holdingCurrent)
        {
            // The consumer is done with the previous item only when it asks for the next: its window slot frees now.
            _holdingCurrent = false;
            ReleaseWindowSlot();
        }

        Step step;
        Exception? error;
        lock (_gate)
        {
            if (_finished)
            {
                return new ValueTask<bool>(false);
            }

            step = StepLocked(out _current, out error);
            if (step == Step.Wait)
            {
                _signal.Reset();
                _consumerWaiting = true;
            }
        }

        switch (step)
        {
            case Step.Item:
                _holdingCurrent = true;
                return new ValueTask<bool>(true);
            case Step.End:
                Conclude(null);
                return new ValueTask<bool>(false);
            case Step.Throw:
                Conclude(error);
                return ValueTask.FromException<bool>(error!);
            default:
                return new ValueTask<bool>(this, _signal.Version);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? drained = null;
        lock (_gate)
        {
            if (_started && !(_pumpDone && _pending == 0))
            {
                _stopping = true;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
        }

        if (drained is not null)
        {
            CancelRun();
            await drained.ConfigureAwait(false);
        }

        bool conclude;
        lock (_gate)
        {
            conclude = _started && !_finished;
            _finished = true;
        }

        if (conclude)
        {
            StopActivity(null);
        }

        _callerRegistration1.Dispose();
        _callerRegistration2.Dispose();
        _cts.Dispose();
    }

    /// <summary>
    /// Frees a window slot. A pump waiting for one resumes right here, on the consumer's thread, and may start work.
    /// </summary>
    private void ReleaseWindowSlot() => RunOutsideCallerContext(static run => run._window.Release(), this);

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
        _activity?.SetTag("sluice.window", _options.WindowSize);
        _activity?.SetTag("sluice.ordered", _options.Ordered);
        RunOutsideCallerContext(static run => _ = run.PumpAsync(), this);
        Activity.Current = previous;
    }

    private void OnCallerCancelled()
    {
        lock (_gate)
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
                    await _window.WaitAsync(_token).ConfigureAwait(false);
                    if (_token.IsCancellationRequested || !await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    TIn item = items.Current;
                    if (_token.IsCancellationRequested)
                    {
                        break; // stopped while the source was producing this item
                    }

                    if (_attemptsNeedPolicy)
                    {
                        _ = RunWithPolicyAsync(Register(running: false), item);
                    }
                    else
                    {
                        await _limit.AcquireAsync(_token).ConfigureAwait(false);
                        if (_token.IsCancellationRequested)
                        {
                            _limit.Release(new ConcurrencyFeedback(TimeSpan.Zero, Succeeded: false));
                            break;
                        }

                        RunAttemptOnce(Register(running: true), item);
                    }
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

    private long Register(bool running)
    {
        lock (_gate)
        {
            _pending++;
            if (running)
            {
                _running++;
            }

            return _taken++;
        }
    }

    /// <summary>The fast path: one attempt, slot already held; no allocation when the work completes synchronously.</summary>
    private void RunAttemptOnce(long index, TIn item)
    {
        SluiceDiagnostics.ItemsInFlight.Add(1);
        long started = _time.GetTimestamp();
        ValueTask<TOut> work;
        try
        {
            work = _work(item, _token);
        }
        catch (Exception ex)
        {
            Finish(index, item, default, ex, 1, started, heldSlot: true);
            return;
        }

        if (work.IsCompletedSuccessfully)
        {
            Finish(index, item, work.Result, null, 1, started, heldSlot: true);
        }
        else
        {
            _ = AwaitAttemptAsync(index, item, work, started);
        }
    }

    private async Task AwaitAttemptAsync(long index, TIn item, ValueTask<TOut> work, long started)
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

        Finish(index, item, value, error, 1, started, heldSlot: true);
    }

    private void Finish(long index, TIn item, TOut? value, Exception? error, int attempts, long started, bool heldSlot)
    {
        TimeSpan elapsed = _time.GetElapsedTime(started);
        if (heldSlot)
        {
            SluiceDiagnostics.ItemsInFlight.Add(-1);
        }

        RecordTelemetry(error, elapsed);

        // Everything that touches the run's token or the concurrency limit happens while this item still counts as
        // pending, so the consumer cannot conclude (and dispose the run) before it is done.
        bool cancelRun = false;
        if (error is not null && _options.FailFast)
        {
            lock (_gate)
            {
                if (!_stopping)
                {
                    _stopping = true;
                    _stopError = error;
                    cancelRun = true;
                }
            }
        }

        if (cancelRun)
        {
            CancelRun();
        }

        if (heldSlot)
        {
            // The item stops counting as running before its slot is handed on: the next item can start inside
            // Release, and a snapshot taken then must not count both.
            lock (_gate)
            {
                _running--;
            }

            _limit.Release(new ConcurrencyFeedback(elapsed, error is null));
        }

        var result = new ItemResult<TIn, TOut>(index, item, value, error, attempts, elapsed);
        Wake wake;
        BatchProgress? snapshot = null;
        long sequence = 0;
        lock (_gate)
        {
            _pending--;
            if (error is null)
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
                    _reorder.Put(index, result);
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

    private static void RecordTelemetry(Exception? error, TimeSpan elapsed)
    {
        if (error is null)
        {
            SluiceDiagnostics.ItemsCompleted.Add(1);
        }
        else
        {
            SluiceDiagnostics.ItemsFailed.Add(1);
        }

        if (SluiceDiagnostics.ItemDuration.Enabled)
        {
            SluiceDiagnostics.ItemDuration.Record(elapsed.TotalSeconds);
        }
    }

    private void OnPumpDone(Exception? sourceError)
    {
        Wake wake;
        lock (_gate)
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
