using System.Text.Json;

namespace Sluice.Reporting;

/// <summary>Reads <c>timeline.jsonl</c> (<see cref="Sluice.BatchFiles.RunTimeline"/>'s format): the samples of every
/// session laid end to end, and the latency histograms of all sessions added up (the last histogram line of each
/// session is that session's; <c>of</c> tells request latencies from attempt latencies).</summary>
internal static class TimelineReader
{
    public static RunTimelineData? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var points = new List<TimelinePoint>();
        var latency = new Dictionary<(int Session, string Of), (double[] Bounds, long[] Counts)>();
        var sessions = new HashSet<int>();
        double offset = 0, lastT = 0;
        int current = -1;
        foreach (var (line, value) in JsonLines.Read(path))
        {
            string type = JsonLines.Require(JsonLines.String(value, "type"), path, line, "type");
            int session = (int)JsonLines.Require(JsonLines.Long(value, "session"), path, line, "session", "a whole number");
            sessions.Add(session);
            switch (type)
            {
                case "session":
                    break;
                case "sample":
                    double t = JsonLines.Require(JsonLines.Double(value, "t"), path, line, "t", "a number");
                    if (session != current)
                    {
                        offset += lastT; // the sessions laid end to end
                        lastT = 0;
                        current = session;
                    }

                    lastT = t;
                    points.Add(new TimelinePoint(
                        session,
                        offset + t,
                        Count(value, "done"),
                        Count(value, "succeeded"),
                        Count(value, "failed"),
                        Count(value, "in_flight"),
                        (int)Count(value, "concurrency_limit"),
                        Count(value, "retries"),
                        Count(value, "rate_limited"),
                        Count(value, "cache_hits"),
                        Count(value, "input_tokens"),
                        Count(value, "output_tokens"),
                        JsonLines.Decimal(value, "cost_usd")));
                    break;
                case "latency":
                    string of = JsonLines.String(value, "of") ?? "request";
                    if (of is not ("request" or "attempt"))
                    {
                        throw new ReportInputException(path, line, $"unknown \"of\" \"{of}\"; expected request or attempt.");
                    }

                    var histogram = (Numbers(value, "bounds_ms", path, line), Numbers(value, "counts", path, line).Select(c => (long)c).ToArray());
                    latency[(session, of)] = histogram;
                    if (histogram.Item2.Length != histogram.Item1.Length + 1)
                    {
                        throw new ReportInputException(path, line, "\"counts\" must hold one more number than \"bounds_ms\" (the bucket above the last bound).");
                    }

                    break;
                default:
                    throw new ReportInputException(path, line, $"unknown \"type\" \"{type}\"; expected session, sample or latency.");
            }
        }

        double[] bounds = latency.Values.FirstOrDefault().Bounds ?? [.. Sluice.BatchFiles.LatencyHistogram.BoundsMilliseconds];
        return new RunTimelineData(points, sessions.Count, bounds, Sum("request"), Sum("attempt"));

        long[] Sum(string of)
        {
            long[] counts = new long[bounds.Length + 1];
            foreach (var ((_, kind), (b, c)) in latency)
            {
                if (kind == of && b.SequenceEqual(bounds))
                {
                    for (int i = 0; i < c.Length; i++)
                    {
                        counts[i] += c[i];
                    }
                }
            }

            return counts;
        }
    }

    private static long Count(JsonElement value, string name) => JsonLines.Long(value, name) ?? 0;

    private static double[] Numbers(JsonElement value, string name, string path, long line)
    {
        if (!value.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
        {
            throw new ReportInputException(path, line, $"field \"{name}\" is missing or not an array of numbers.");
        }

        return [.. array.EnumerateArray().Select(e => e.GetDouble())];
    }
}
