using System.Text.Json;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// A shard's request latencies, read back from its epoch's <c>timeline.jsonl</c> (<see cref="RunTimeline"/> writes
/// each session's <see cref="RunTimeline.Latency"/> histogram there when the session ends): the counts a worker sends
/// with its commit, in the buckets of <see cref="LatencyHistogram.BoundsMilliseconds"/>, so the coordinator can add up
/// the run's histogram over all its workers (<see cref="ShardedRunCounts.RequestLatency"/>).
/// </summary>
internal static class ShardLatency
{
    /// <summary>The request latency counts of the timeline: the last <c>request</c> histogram of each session, summed;
    /// <see langword="null"/> when the file has none (or cannot be read: the timeline is a diagnostic).</summary>
    /// <param name="timelinePath">The epoch's timeline.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async Task<long[]?> ReadAsync(string timelinePath, CancellationToken cancellationToken)
    {
        var sessions = new Dictionary<int, long[]>();
        try
        {
            foreach (string line in await File.ReadAllLinesAsync(timelinePath, cancellationToken).ConfigureAwait(false))
            {
                if (!line.Contains("\"latency\"", StringComparison.Ordinal))
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.GetProperty("type").GetString() == "latency" && root.GetProperty("of").GetString() == "request"
                    && BoundsMatch(root.GetProperty("bounds_ms")))
                {
                    sessions[root.GetProperty("session").GetInt32()] = [.. root.GetProperty("counts").EnumerateArray().Select(count => count.GetInt64())];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }

        return sessions.Count == 0 ? null : sessions.Values.Aggregate((left, right) => Sum(left, right)!);
    }

    /// <summary>The element-wise sum of two histograms' counts (either may be <see langword="null"/>: none).</summary>
    public static long[]? Sum(IReadOnlyList<long>? left, IReadOnlyList<long>? right) =>
        left is null ? right?.ToArray()
        : right is null ? [.. left]
        : [.. left.Zip(right, (a, b) => a + b)];

    /// <summary>The upper bound (milliseconds) of the bucket where <paramref name="fraction"/> of the counts is reached:
    /// the latency that many requests took at most; <see langword="null"/> for no counts.</summary>
    public static double? Percentile(IReadOnlyList<long>? counts, double fraction)
    {
        long total = counts?.Sum() ?? 0;
        if (total == 0)
        {
            return null;
        }

        var bounds = LatencyHistogram.BoundsMilliseconds;
        long seen = 0;
        for (int i = 0; i < counts!.Count; i++)
        {
            seen += counts[i];
            if (seen >= Math.Ceiling(fraction * total))
            {
                return i < bounds.Count ? bounds[i] : double.PositiveInfinity;
            }
        }

        return double.PositiveInfinity;
    }

    private static bool BoundsMatch(JsonElement bounds)
    {
        var expected = LatencyHistogram.BoundsMilliseconds;
        return bounds.GetArrayLength() == expected.Count && bounds.EnumerateArray().Select(b => b.GetDouble()).SequenceEqual(expected);
    }
}
