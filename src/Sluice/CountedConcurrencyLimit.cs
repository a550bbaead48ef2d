namespace Sluice;

/// <summary>
/// The common part of concurrency limits whose size changes: slots are counted here and granted first come, first
/// served, whenever fewer than <see cref="SlotsLocked"/> are in use. A subclass says how many slots there are and may
/// learn from each release.
/// </summary>
public abstract class CountedConcurrencyLimit : ConcurrencyLimit
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly Lock _lock = new(); // guards the count, the waiters and the subclass's state
    private int _inUse;

    /// <inheritdoc />
    public sealed override int CurrentLimit
    {
        get { lock (_lock) { return SlotsLocked; } }
    }

    /// <inheritdoc />
    public sealed override int InUse
    {
        get { lock (_lock) { return _inUse; } }
    }

    /// <summary>Gets the number of slots that may be held now (at least 1). Called under the limit's lock.</summary>
    protected abstract int SlotsLocked { get; }

    /// <inheritdoc />
    public sealed override ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inUse < SlotsLocked)
            {
                _inUse++;
                return default;
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        return new ValueTask(WaitAsync(waiter, cancellationToken));
    }

    /// <inheritdoc />
    public sealed override void Release(in ConcurrencyFeedback feedback)
    {
        lock (_lock)
        {
            int inFlight = _inUse;
            _inUse--;
            OnReleaseLocked(feedback, inFlight);
            int slots = SlotsLocked;
            while (_waiters.Count > 0 && _inUse < slots)
            {
                if (_waiters.Dequeue().TrySetResult())
                {
                    _inUse++;
                }
            }
        }
    }

    /// <summary>Learns from a released slot. Called under the limit's lock, before waiters are granted.</summary>
    /// <param name="feedback">What happened while the slot was held.</param>
    /// <param name="inFlight">Slots in use just before this release, this one included.</param>
    protected virtual void OnReleaseLocked(in ConcurrencyFeedback feedback, int inFlight)
    {
    }

    private static async Task WaitAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetCanceled(), waiter))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }
}
