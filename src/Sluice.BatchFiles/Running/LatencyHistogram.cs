namespace Sluice.BatchFiles;

/// <summary>
/// Request latencies counted in log-spaced buckets: five per decade (the R5 series 1, 1.6, 2.5, 4, 6.3) from 1 ms to
/// 1000 s, plus one bucket above. Thread-safe; recording takes no lock and allocates nothing.
/// </summary>
public sealed class LatencyHistogram
{
    private static readonly double[] Bounds = CreateBounds();
    private readonly long[] _counts = new long[Bounds.Length + 1];

    /// <summary>Gets the upper bounds of the buckets in milliseconds (inclusive), ascending: bucket <c>i</c> counts the
    /// latencies above bound <c>i - 1</c> and at most bound <c>i</c>; the last bucket, one past these bounds, counts
    /// those above the last bound.</summary>
    public static IReadOnlyList<double> BoundsMilliseconds => Bounds;

    /// <summary>Gets the latencies recorded.</summary>
    public long Count => Counts().Sum();

    /// <summary>Counts one latency.</summary>
    /// <param name="latency">The latency; a negative one counts as zero.</param>
    public void Record(TimeSpan latency)
    {
        double ms = Math.Max(0, latency.TotalMilliseconds);
        int index = Array.BinarySearch(Bounds, ms);
        Interlocked.Increment(ref _counts[index >= 0 ? index : ~index]);
    }

    /// <summary>Adds counts recorded elsewhere — another process's histogram, as its <see cref="Counts"/> gave them —
    /// bucket by bucket.</summary>
    /// <param name="counts">One count per bucket (<see cref="BoundsMilliseconds"/> plus one), none negative.</param>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="counts"/> has another number of buckets, or a negative count;
    /// nothing is added then.</exception>
    public void Add(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != _counts.Length)
        {
            throw new ArgumentException($"The counts have {counts.Count} buckets; a {nameof(LatencyHistogram)} has {_counts.Length} ({nameof(BoundsMilliseconds)} plus one).", nameof(counts));
        }

        for (int i = 0; i < counts.Count; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException($"Bucket {i} has a negative count ({counts[i]}).", nameof(counts));
            }
        }

        for (int i = 0; i < counts.Count; i++)
        {
            Interlocked.Add(ref _counts[i], counts[i]);
        }
    }

    /// <summary>The counts now, one per bucket (<see cref="BoundsMilliseconds"/> plus one).</summary>
    /// <returns>A copy of the counts.</returns>
    public long[] Counts()
    {
        var copy = new long[_counts.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _counts[i]);
        }

        return copy;
    }

    private static double[] CreateBounds()
    {
        double[] r5 = [1, 1.6, 2.5, 4, 6.3];
        var bounds = new List<double>();
        for (double decade = 1; decade <= 100_000; decade *= 10)
        {
            bounds.AddRange(r5.Select(r => r * decade));
        }

        bounds.Add(1_000_000);
        return [.. bounds];
    }
}
