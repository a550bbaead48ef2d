namespace Sluice.AI;

/// <summary>A per-attempt deadline on the <see cref="TimeProvider"/>, linked to the caller's token.</summary>
internal sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _limit;

    public AttemptDeadline(TimeSpan limit, TimeProvider time, CancellationToken caller)
    {
        _limit = limit;
        _caller = caller;
        _timeout = new CancellationTokenSource(limit, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Whether <paramref name="error"/> happened because the deadline passed (and not because the caller cancelled).</summary>
    public bool Expired(Exception error) => _timeout.IsCancellationRequested && !_caller.IsCancellationRequested && error is not AttemptTimeoutException;

    public AttemptTimeoutException ToTimeout() => new(_limit);

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
