namespace Sluice;

/// <summary>
/// A <see cref="ConcurrencyLimit"/> with slots of its own, as many as another limit allows at this moment. Use it to
/// let a batch follow a limit that something else acquires and teaches — for example the adaptive limit inside a
/// Sluice chat client: the batch then keeps exactly as many items running as the client may send, and reports that
/// limit in <see cref="BatchProgress.ConcurrencyLimit"/>, without taking the client's slots (which would leave the
/// client none) and without feeding it a second time.
/// </summary>
/// <remarks>The feedback of a release is not passed on: the followed limit learns from whoever acquires it.</remarks>
public sealed class FollowingConcurrencyLimit : CountedConcurrencyLimit
{
    private readonly ConcurrencyLimit _source;

    /// <summary>Creates a limit that follows <paramref name="source"/>.</summary>
    /// <param name="source">The limit whose current value to follow; it is only read.</param>
    public FollowingConcurrencyLimit(ConcurrencyLimit source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <inheritdoc />
    public override int MaximumLimit => _source.MaximumLimit;

    /// <inheritdoc />
    protected override int SlotsLocked => Math.Max(1, _source.CurrentLimit);
}
