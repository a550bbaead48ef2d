namespace Sluice;

/// <summary>
/// A <see cref="ConcurrencyLimit"/> with slots of its own, as many as another limit allows at this moment. Use it to
/// let a batch follow a limit that something else acquires and teaches — for example the adaptive limit inside a
/// Sluice chat client: the batch then keeps exactly as many items running as the client may send, and reports that
/// limit in <see cref="BatchProgress.ConcurrencyLimit"/>, without taking the client's slots (which would leave the
/// client none) and without feeding it a second time.
/// </summary>
public sealed class FollowingConcurrencyLimit : ConcurrencyLimit
{
    private readonly ConcurrencyLimit _source;
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _inUse;

    /// <summary>Creates a limit that follows <paramref name="source"/>.</summary>
    /// <param name="source">The limit whose current value to follow; it is only read.</param>
    public FollowingConcurrencyLimit(ConcurrencyLimit source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <inheritdoc />
    public override int CurrentLimit => Math.Max(1, _source.CurrentLimit);

    /// <inheritdoc />
    public override int MaximumLimit => _source.MaximumLimit;

    /// <inheritdoc />
    public override int InUse
    {
        get { lock (_gate) { return _inUse; } }
    }

    /// <inheritdoc />
    public override ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inUse < CurrentLimit)
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
    /// <remarks>The feedback is not passed on: the followed limit learns from whoever acquires it.</remarks>
    public override void Release(in ConcurrencyFeedback feedback)
    {
        lock (_gate)
        {
            _inUse--;
            int limit = CurrentLimit;
            while (_waiters.Count > 0 && _inUse < limit)
            {
                if (_waiters.Dequeue().TrySetResult())
                {
                    _inUse++;
                }
            }
        }
    }

    private static async Task WaitAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetCanceled(), waiter))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }
}
