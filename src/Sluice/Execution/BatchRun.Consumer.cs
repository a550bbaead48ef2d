using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Sluice.Execution;

/// <summary>The consumer's side of a run: taking results (which frees read-ahead), waking a waiting consumer, stopping
/// early, and concluding the run.</summary>
internal sealed partial class BatchRun<TIn, TOut>
{
    private enum Step
    {
        Wait,
        Item,
        End,
        Throw,
    }

    private readonly record struct Wake(Step Step, Exception? Error);

    public ItemResult<TIn, TOut> Current => _current;

    public ValueTask<bool> MoveNextAsync()
    {
        if (!_started)
        {
            Start();
        }

        if (_readyNext < _readyEnd && !Volatile.Read(ref _stopping))
        {
            // Results taken for the consumer at its last look: no lock. The one it was holding leaves the read-ahead at
            // its next look under the lock (counted until then, so the bound only tightens).
            _handedSinceLook++;
            _current = _ready![_readyNext];
            _ready[_readyNext++] = default;
            return new ValueTask<bool>(true);
        }

        Step step = Step.Wait;
        Exception? error = null;
        bool resumePump = false, finished = false;
        lock (_lock)
        {
            if (_readyNext < _readyEnd)
            {
                // Stopping: results taken for the consumer are not handed out any more.
                _readAhead -= _readyEnd - _readyNext;
                Array.Clear(_ready!, _readyNext, _readyEnd - _readyNext);
                _readyNext = _readyEnd = 0;
            }

            if (_holdingCurrent)
            {
                // The consumer is done with the previous item only when it asks for the next: it leaves the read-ahead now,
                // with those handed out since its last look under the lock.
                _holdingCurrent = false;
                _readAhead -= 1 + _handedSinceLook;
                _handedSinceLook = 0;
                resumePump = ResumePumpLocked(_resumeRoom);
            }

            if (_finished)
            {
                finished = true;
            }
            else if (!resumePump)
            {
                step = StepOrWaitLocked(out error);
            }
        }

        if (resumePump)
        {
            // The pump resumes right here, on the consumer's thread, and may start (and, with synchronous work, finish)
            // the next few items before the consumer looks for one.
            ResumePump();
            lock (_lock)
            {
                finished = _finished;
                if (!finished)
                {
                    step = StepOrWaitLocked(out error);
                }
            }
        }

        if (finished)
        {
            return new ValueTask<bool>(false);
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
        lock (_lock)
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
        lock (_lock)
        {
            conclude = _started && !_finished;
            _finished = true;
        }

        if (conclude)
        {
            StopActivity(null);
        }

        if (_ready is not null)
        {
            Array.Clear(_ready); // results taken for the consumer and never handed out
            _readyNext = _readyEnd = 0;
        }

        _callerRegistration1.Dispose();
        _callerRegistration2.Dispose();
        _cts.Dispose();
    }

    /// <summary>What the consumer gets next; if nothing yet, it now waits for the signal. With an item, a few more that
    /// are ready are taken for the consumer's next looks, which then need no lock. Call under the lock.</summary>
    private Step StepOrWaitLocked(out Exception? error)
    {
        Step step = StepLocked(out _current, out error);
        if (step == Step.Wait)
        {
            _signal.Reset();
            _consumerWaiting = true;
        }
        else if (step == Step.Item)
        {
            TakeReadyLocked();
        }

        return step;
    }

    /// <summary>Takes up to <see cref="_readyLimit"/> more ready results for the consumer. They stay in the read-ahead
    /// until the consumer is done with them, as if still in the queue or window. Call under the lock, with none left.</summary>
    private void TakeReadyLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && _readyNext == _readyEnd);
        _readyNext = _readyEnd = 0;
        if (_readyLimit == 0 || (_reorder is not null ? !_reorder.CanTake : _queue!.Count == 0))
        {
            return;
        }

        var ready = _ready ??= new ItemResult<TIn, TOut>[_readyLimit];
        int count = 0;
        while (count < ready.Length && (_reorder is not null ? _reorder.TryTake(out ready[count]) : _queue!.TryTake(out ready[count])))
        {
            count++;
        }

        _readyEnd = count;
    }

    /// <summary>What the consumer gets next. Call under the lock.</summary>
    private Step StepLocked(out ItemResult<TIn, TOut> item, out Exception? error)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        item = default;
        error = null;
        bool drained = _pumpDone && _pending == 0;
        if (drained)
        {
            _drained?.TrySetResult();
        }

        if (_stopping)
        {
            // Fail-fast or cancellation: hand out nothing more; end once no work runs any longer.
            if (!drained)
            {
                return Step.Wait;
            }

            error = _stopError ?? new OperationCanceledException("The batch was stopped.");
            _finished = true;
            return Step.Throw;
        }

        bool taken = _reorder is not null ? _reorder.TryTake(out item) : _queue!.TryTake(out item);
        if (taken)
        {
            return Step.Item;
        }

        if (!drained)
        {
            return Step.Wait;
        }

        _finished = true;
        if (_sourceError is not null)
        {
            error = _sourceError.SourceException;
            return Step.Throw;
        }

        return Step.End;
    }

    /// <summary>If the consumer waits and something is ready for it, takes it on its behalf. Call under the lock.</summary>
    private Wake WakeLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        if (!_consumerWaiting)
        {
            if (_pumpDone && _pending == 0)
            {
                _drained?.TrySetResult();
            }

            return default;
        }

        Step step = StepLocked(out var item, out var error);
        if (step == Step.Wait)
        {
            return default;
        }

        _consumerWaiting = false;
        _current = item;
        return new Wake(step, error);
    }

    /// <summary>Completes the consumer's pending wait outside the lock.</summary>
    private void Deliver(Wake wake)
    {
        switch (wake.Step)
        {
            case Step.Item:
                _holdingCurrent = true;
                _signal.SetResult(true);
                break;
            case Step.End:
                Conclude(null);
                _signal.SetResult(false);
                break;
            case Step.Throw:
                Conclude(wake.Error);
                _signal.SetException(wake.Error!);
                break;
        }
    }

    /// <summary>Sends the final progress report and closes the run's activity. Runs once, before the consumer sees the end.</summary>
    private void Conclude(Exception? error)
    {
        if (_pacer is not null)
        {
            BatchProgress snapshot;
            long sequence;
            lock (_lock)
            {
                snapshot = SnapshotLocked(out sequence);
            }

            _pacer.Report(snapshot, sequence);
        }

        StopActivity(error);
    }

    private void StopActivity(Exception? error)
    {
        var activity = _activity;
        if (activity is null)
        {
            return;
        }

        _activity = null;
        long completed, failed;
        lock (_lock)
        {
            completed = _completed;
            failed = _failed;
        }

        activity.SetTag("sluice.items.completed", completed);
        activity.SetTag("sluice.items.failed", failed);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        activity.Dispose();
    }

    /// <summary>The run's progress now, numbered for the pacer. Call under the lock.</summary>
    private BatchProgress SnapshotLocked(out long sequence)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        sequence = ++_snapshotSequence;
        TimeSpan elapsed = _time.GetElapsedTime(_startTimestamp);
        long finished = _completed + _failed;
        double throughput = elapsed > TimeSpan.Zero ? finished / elapsed.TotalSeconds : 0;
        TimeSpan? remaining = null;
        if (_total is { } total && throughput > 0)
        {
            remaining = TimeSpan.FromSeconds(Math.Max(0, total - finished) / throughput);
        }

        return new BatchProgress
        {
            Completed = _completed,
            Failed = _failed,
            InFlight = _path.Running,
            HeldForOrder = _reorder?.HeldBehindHead ?? 0,
            Total = _total,
            Elapsed = elapsed,
            ThroughputPerSecond = throughput,
            EstimatedRemaining = remaining,
            ConcurrencyLimit = _limit?.CurrentLimit ?? _options.MaxConcurrency,
        };
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
