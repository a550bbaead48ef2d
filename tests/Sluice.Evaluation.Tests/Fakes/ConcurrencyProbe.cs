namespace Sluice.Evaluation.Tests;

/// <summary>Counts calls running at once, across every fake that shares it, and remembers the most.</summary>
internal sealed class ConcurrencyProbe
{
    private int _current;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        return new Exit(this);
    }

    private sealed class Exit(ConcurrencyProbe probe) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref probe._current);
    }
}
