using Sluice.Execution;

namespace Sluice;

/// <summary>A <see cref="ConcurrencyLimit"/> that never changes: at most <see cref="CurrentLimit"/> slots at once, granted in FIFO order.</summary>
public sealed class FixedConcurrencyLimit : ConcurrencyLimit
{
    private readonly AsyncSemaphore _slots;
    private readonly int _limit;

    /// <summary>Creates a limit of <paramref name="limit"/> slots.</summary>
    /// <param name="limit">The number of slots; must be positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is zero or negative.</exception>
    public FixedConcurrencyLimit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _limit = limit;
        _slots = new AsyncSemaphore(limit);
    }

    /// <inheritdoc />
    public override int CurrentLimit => _limit;

    /// <inheritdoc />
    public override int MaximumLimit => _limit;

    /// <inheritdoc />
    public override int InUse => _limit - _slots.Available;

    /// <inheritdoc />
    public override ValueTask AcquireAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public override void Release(in ConcurrencyFeedback feedback) => _slots.Release();
}
