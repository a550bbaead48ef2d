using System.Threading.Tasks.Sources;

namespace Sluice.Execution;

/// <summary>
/// A counting semaphore with FIFO waiters whose waits allocate nothing in the steady state: a free permit is taken
/// synchronously, and waiter objects are pooled. A granted waiter resumes on the releasing thread (the engine's
/// own continuations are short); a cancelled waiter resumes on the thread pool.
/// </summary>
internal sealed class AsyncSemaphore
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private Waiter? _pool;
    private int _available;

    public AsyncSemaphore(int initial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        _available = initial;
    }

    /// <summary>Permits free at this moment.</summary>
    public int Available
    {
        get { lock (_lock) { return _available; } }
    }

    /// <summary>Callers waiting at this moment.</summary>
    public int Waiting
    {
        get { lock (_lock) { return _waiters.Count; } }
    }

    public bool TryWait()
    {
        lock (_lock)
        {
            if (_available > 0 && _waiters.Count == 0)
            {
                _available--;
                return true;
            }

            return false;
        }
    }

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_available > 0 && _waiters.Count == 0)
            {
                _available--;
                return default;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            waiter = _pool ?? new Waiter(this);
            _pool = waiter.NextFree;
            waiter.NextFree = null;
            waiter.Arm();
            _waiters.Enqueue(waiter);
        }

        waiter.Watch(cancellationToken);
        return new ValueTask(waiter, waiter.Version);
    }

    public void Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        while (count > 0)
        {
            Waiter? granted = null;
            lock (_lock)
            {
                while (_waiters.TryDequeue(out var candidate))
                {
                    if (candidate.TryGrant())
                    {
                        granted = candidate;
                        break;
                    }
                }

                if (granted is null)
                {
                    _available += count;
                    return;
                }
            }

            count--;
            granted.Complete();
        }
    }

    private void Return(Waiter waiter)
    {
        lock (_lock)
        {
            waiter.NextFree = _pool;
            _pool = waiter;
        }
    }

    private sealed class Waiter(AsyncSemaphore owner) : IValueTaskSource
    {
        private const int Pending = 0, Granted = 1, Cancelled = 2;
        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationTokenRegistration _registration;
        private CancellationToken _token;
        private int _state;

        public Waiter? NextFree { get; set; }

        public short Version => _core.Version;

        public void Arm()
        {
            _core.Reset();
            _core.RunContinuationsAsynchronously = false;
            _state = Pending;
        }

        public void Watch(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled)
            {
                return;
            }

            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((Waiter)s!).Cancel(), this);
        }

        public bool TryGrant() => Interlocked.CompareExchange(ref _state, Granted, Pending) == Pending;

        public void Complete() => _core.SetResult(true);

        private void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) == Pending)
            {
                _core.RunContinuationsAsynchronously = true;
                _core.SetException(new OperationCanceledException(_token));
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public void GetResult(short token)
        {
            bool granted = _state == Granted;
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                _registration.Dispose();
                _registration = default;
                _token = default;
                if (granted)
                {
                    // A cancelled waiter may still sit in the queue (it is skipped lazily), so only granted ones are reused.
                    owner.Return(this);
                }
            }
        }
    }
}
