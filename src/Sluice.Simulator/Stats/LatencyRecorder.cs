namespace Sluice.Simulator.Stats;

/// <summary>Keeps the most recent latency samples in a ring and summarises them on demand.</summary>
internal sealed class LatencyRecorder
{
    private const int Capacity = 200_000;
    private readonly double[] _samples = new double[Capacity];
    private readonly Lock _gate = new();
    private long _count;

    public void Record(double milliseconds)
    {
        lock (_gate)
        {
            _samples[_count % Capacity] = milliseconds;
            _count++;
        }
    }

    public LatencySummary Summarise()
    {
        double[] copy;
        lock (_gate)
        {
            copy = _samples.AsSpan(0, (int)Math.Min(_count, Capacity)).ToArray();
        }
        if (copy.Length == 0)
            return new LatencySummary();
        Array.Sort(copy);
        return new LatencySummary
        {
            Count = copy.Length,
            MeanMs = Math.Round(copy.Average(), 3),
            P50Ms = Math.Round(Percentile(copy, 0.50), 3),
            P90Ms = Math.Round(Percentile(copy, 0.90), 3),
            P99Ms = Math.Round(Percentile(copy, 0.99), 3),
            MaxMs = Math.Round(copy[^1], 3),
        };
    }

    private static double Percentile(double[] sorted, double p)
    {
        double rank = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
