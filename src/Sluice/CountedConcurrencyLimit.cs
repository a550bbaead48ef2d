namespace Sluice;

/// <summary>
/// The common part of concurrency limits whose size changes: slots are counted here and granted first come, first
/// served, whenever fewer than <see cref="SlotsLocked"/> are in use. A subclass says how many slots there are and may
/// learn from each release.
/// </summary>
public abstract class CountedConcurrencyLimit : ConcurrencyLimit
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _inUse;

    /// <summary>Gets the lock that guards the count, the waiters and the subclass's state.</summary>
    protected Lock Gate { get; } = new();

    /// <inheritdoc />
    public sealed override int CurrentLimit
    {
        get { lock (Gate) { return SlotsLocked; } }
    }

    /// <inheritdoc />
    public sealed override int InUse
    {
        get { lock (Gate) { return _inUse; } }
    }

    /// <summary>Gets the number of slots that may be held now (at least 1). Called under <see cref="Gate"/>.</summary>
    protected abstract int SlotsLocked { get; }

    /// <inheritdoc />
    public sealed override ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (Gate)
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
        lock (Gate)
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

    /// <summary>Learns from a released slot. Called under <see cref="Gate"/>, before waiters are granted.</summary>
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
