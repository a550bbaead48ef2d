namespace Sluice.Reporting;

/// <summary>Percentiles read off a bucketed histogram: the upper bound of the bucket where the share is reached (so
/// "at most"); <see langword="null"/> for an empty histogram or a percentile in the bucket above the last bound.</summary>
internal sealed record Percentiles(double? P50, double? P90, double? P99, long Count)
{
    public static Percentiles? Of(IReadOnlyList<double> bounds, IReadOnlyList<long> counts)
    {
        long total = counts.Sum();
        return total == 0 ? null : new Percentiles(At(0.50), At(0.90), At(0.99), total);

        double? At(double share)
        {
            long needed = (long)Math.Ceiling(share * total), seen = 0;
            for (int i = 0; i < counts.Count; i++)
            {
                seen += counts[i];
                if (seen >= needed)
                {
                    return i < bounds.Count ? bounds[i] : null;
                }
            }

            return null;
        }
    }
}
