namespace Sluice.Tests;

/// <summary>Counts work running at once and remembers the peak, measured inside the work itself.</summary>
internal sealed class InFlightGauge
{
    private int _current;
    private int _peak;

    public int Current => Volatile.Read(ref _current);

    public int Peak => Volatile.Read(ref _peak);

    public void Enter()
    {
        int now = Interlocked.Increment(ref _current);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);
}

/// <summary>An <see cref="IProgress{T}"/> that records synchronously, in call order (unlike Progress&lt;T&gt;, which posts).</summary>
internal sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get { lock (_reports) { return _reports.ToArray(); } }
    }

    public void Report(T value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}

internal static class Limits
{
    /// <summary>How long a test waits for something that should happen at once before it fails instead of hanging.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
}
