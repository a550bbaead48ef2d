namespace Sluice.Reporting;

/// <summary>The JSON block of the HTML report: every run's data as read (every timeline sample, the latency histogram,
/// totals, failures by kind, eval metrics, scores and worst cases), snake_case.</summary>
internal static class ReportData
{
    public static object Of(IReadOnlyList<ReportSource> runs) => new
    {
        Format = 1,
        Generator = "sluice report",
        Runs = runs.Select(r => new
        {
            r.Kind,
            r.Directory,
            r.Outcome,
            Facts = r.Facts.ToDictionary(f => f.Key, f => f.Value),
            Headlines = r.Headlines.Select(h => new { h.Name, h.Value }),
            Timeline = r.Timeline is not { } t ? null : new
            {
                t.Sessions,
                Columns = new[] { "session", "t", "done", "succeeded", "failed", "in_flight", "concurrency_limit", "retries", "rate_limited", "cache_hits", "input_tokens", "output_tokens", "cost_usd" },
                Samples = t.Points.Select(p => new object?[] { p.Session, p.T, p.Done, p.Succeeded, p.Failed, p.InFlight, p.ConcurrencyLimit, p.Retries, p.RateLimited, p.CacheHits, p.InputTokens, p.OutputTokens, p.Cost }),
                Latency = new { BoundsMs = t.LatencyBoundsMs, Counts = t.LatencyCounts },
            },
            r.Run,
            Eval = r.Eval is not { } e ? null : new
            {
                e.Dataset,
                e.Index,
                e.Cases,
                e.ElapsedSeconds,
                e.Evaluators,
                Skipped = e.Skipped.Select(s => new { Name = s.Key, Reason = s.Value }),
                e.Metrics,
                e.Scores,
                e.Worst,
            },
        }),
    };
}
