using System.Globalization;

namespace Sluice.Reporting;

/// <summary>Lays out a report of one run, or two side by side: which sections, charts and tables, in which order.
/// The HTML and Markdown writers only render what this decides.</summary>
internal static class ReportComposer
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static ReportPage Compose(IReadOnlyList<ReportSource> runs)
    {
        string title = runs.Count == 1
            ? $"Sluice {runs[0].Kind} report: {Name(runs[0])}"
            : $"Sluice {runs[0].Kind} comparison: {Name(runs[0])} (A) and {Name(runs[1])} (B)";
        var page = new ReportPage(title, runs, []);
        var sections = new List<ReportSection> { Headlines(page), Facts(page) };
        if (runs.Any(r => r.Timeline is not null))
        {
            sections.Add(TimelineSection(page));
        }

        if (runs.All(r => r.Run is not null))
        {
            sections.Add(TokensSection(page));
            sections.Add(ErrorsSection(page));
        }

        if (runs.All(r => r.Eval is not null))
        {
            sections.AddRange(EvalSections(page));
        }

        return page with { Sections = sections };
    }

    public static string Name(ReportSource run) => Path.GetFileName(run.Directory.TrimEnd(Path.DirectorySeparatorChar));

    private static ReportSection Headlines(ReportPage page)
    {
        var first = page.Runs[0].Headlines;
        var headers = new List<string> { "measure", page.Runs.Count == 1 ? "value" : "A" };
        if (page.Runs.Count == 2)
        {
            headers.AddRange(["B", "change (B − A)"]);
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var headline in first.Concat(page.Runs.Skip(1).SelectMany(r => r.Headlines).Where(h => first.All(f => f.Name != h.Name))))
        {
            var a = page.Runs[0].Headlines.FirstOrDefault(h => h.Name == headline.Name);
            var row = new List<string> { headline.Name, Format(a?.Value, headline.Format) };
            if (page.Runs.Count == 2)
            {
                var b = page.Runs[1].Headlines.FirstOrDefault(h => h.Name == headline.Name);
                row.Add(Format(b?.Value, headline.Format));
                row.Add(Delta(a?.Value, b?.Value, headline.Format));
            }

            rows.Add(row);
        }

        return new ReportSection("headline", "Headline numbers") { Tables = [new DataTable(headers, rows)] };
    }

    private static ReportSection Facts(ReportPage page)
    {
        var rows = new List<IReadOnlyList<string>>();
        for (int i = 0; i < page.Runs.Count; i++)
        {
            var run = page.Runs[i];
            rows.Add([page.Label(i), "directory", run.Directory]);
            rows.Add([page.Label(i), "kind", run.Kind]);
            if (run.Outcome is { } outcome)
            {
                rows.Add([page.Label(i), "outcome", outcome]);
            }

            rows.AddRange(run.Facts.Select(f => (IReadOnlyList<string>)[page.Label(i), f.Key, f.Value]));
        }

        return new ReportSection("about", "What was run") { Tables = [new DataTable(["run", "what", "value"], rows)] };
    }

    private static ReportSection TimelineSection(ReportPage page)
    {
        var throughput = new List<LineSeries>();
        var limits = new List<LineSeries>();
        var pressure = new List<LineSeries>();
        var latency = new List<BarSeries>();
        // An eval's item is an outcome (a case and an evaluator), its limit the workers, its requests the chat model's calls.
        bool eval = page.Runs[0].Kind == "eval";
        string items = eval ? "outcomes" : "items", limit = eval ? "workers" : "concurrency limit";
        for (int i = 0; i < page.Runs.Count; i++)
        {
            if (page.Runs[i].Timeline is not { } timeline)
            {
                continue;
            }

            string who = page.Runs.Count == 1 ? "" : page.Label(i) + ": ";
            bool dashed = i == 1;
            // Two quantities per chart: blue and orange for one run; with two runs, A blue and green, B (dashed) orange and purple.
            int first = page.Runs.Count == 1 ? 0 : i, second = page.Runs.Count == 1 ? 1 : 2 + i;
            throughput.Add(new LineSeries(who + items + " per second", Rate(timeline.Points, p => p.Succeeded + p.Failed), first, dashed));
            limits.Add(new LineSeries(who + limit, [.. timeline.Points.Select(p => (p.T, (double)p.ConcurrencyLimit))], first, dashed));
            limits.Add(new LineSeries(who + (eval ? "evaluations in flight" : "requests in flight"), [.. timeline.Points.Select(p => (p.T, (double)p.InFlight))], second, dashed));
            pressure.Add(new LineSeries(who + "429s per second", Rate(timeline.Points, p => p.RateLimited), first, dashed));
            pressure.Add(new LineSeries(who + "retries per second", Rate(timeline.Points, p => p.Retries), second, dashed));
            latency.Add(new BarSeries(who + "attempts", [.. timeline.AttemptCounts.Select(c => (double)c)], first));
            latency.Add(new BarSeries(who + (eval ? "chat-model calls" : "requests"), [.. timeline.LatencyCounts.Select(c => (double)c)], second));
        }

        var bounds = page.Runs.Select(r => r.Timeline).First(t => t is not null)!.LatencyBoundsMs;
        var categories = Enumerable.Range(0, bounds.Count + 1)
            .Select(k => k < bounds.Count ? "≤ " + Milliseconds(bounds[k]) : "> " + Milliseconds(bounds[^1]))
            .ToList();
        // Only the buckets from the first to the last that holds a request (every run's buckets are the same).
        int low = 0, high = categories.Count - 1;
        if (latency.Any(s => s.Values.Any(v => v > 0)))
        {
            low = Enumerable.Range(0, categories.Count).First(k => latency.Any(s => s.Values[k] > 0));
            high = Enumerable.Range(0, categories.Count).Last(k => latency.Any(s => s.Values[k] > 0));
        }

        var latencyChart = SvgCharts.Bars(
            "latency", eval ? "Latency of HTTP attempts and of chat-model calls (log-spaced buckets)" : "Latency of HTTP attempts and of whole requests (log-spaced buckets)", "latency", "count",
            categories.Skip(low).Take(high - low + 1).ToList(),
            [.. latency.Select(s => s with { Values = s.Values.Skip(low).Take(high - low + 1).ToList() })]);
        var percentiles = new List<IReadOnlyList<string>>();
        for (int i = 0; i < page.Runs.Count; i++)
        {
            if (page.Runs[i].Timeline is not { } t)
            {
                continue;
            }

            foreach (var (what, counts) in new[] { ("attempts", t.AttemptCounts), (eval ? "chat-model calls" : "requests", t.LatencyCounts) })
            {
                if (Percentiles.Of(t.LatencyBoundsMs, counts) is { } p)
                {
                    percentiles.Add([page.Label(i), what, p.Count.ToString("N0", C), At(p.P50), At(p.P90), At(p.P99)]);
                }
            }
        }

        return new ReportSection("timeline", "Over time")
        {
            Text = "From timeline.jsonl: one sample a second (coarser after an hour); a resumed run's sessions are laid end to end. "
                + (eval
                    ? "An outcome is one case scored by one evaluator (valid or invalid). Attempt latency is each HTTP attempt to the chat model on the wire "
                        + "(every retry is one); chat-model call latency is a judge's or an answer's call as the eval sees it, waits and retries included. "
                        + "Without a chat model there are no latencies."
                    : "Attempt latency is each HTTP attempt on the wire (every retry is one); request latency is a request as the run sees it, "
                        + "from the client taking it to its final answer, waits for a slot or budget and retries included."),
            Charts =
            [
                SvgCharts.Line("throughput", "Throughput over time", "time (s)", items + " per second", throughput),
                SvgCharts.Line("concurrency", eval ? "Workers and evaluations in flight over time" : "Concurrency limit and requests in flight over time", "time (s)", eval ? "evaluations" : "requests", limits),
                SvgCharts.Line("rate-limits", "429 responses and retries over time", "time (s)", "per second", pressure),
                latencyChart,
            ],
            Tables = percentiles.Count == 0 ? [] : [new DataTable(["run", "latency of", "count", "p50 (at most)", "p90 (at most)", "p99 (at most)"], percentiles)],
        };

        static string At(double? ms) => ms is { } v ? Milliseconds(v) : "above the last bucket";
    }

    private static ReportSection TokensSection(ReportPage page)
    {
        var names = new (string Name, Func<RunTotals, string> Value)[]
        {
            ("requests sent", t => t.Sent.ToString("N0", C)),
            ("answered from the cache", t => t.CacheHits.ToString("N0", C)),
            ("input tokens, sent (paid)", t => t.SentInputTokens.ToString("N0", C)),
            ("output tokens, sent (paid)", t => t.SentOutputTokens.ToString("N0", C)),
            ("input tokens in all results (cache included)", t => t.ResultInputTokens.ToString("N0", C)),
            ("output tokens in all results (cache included)", t => t.ResultOutputTokens.ToString("N0", C)),
            ("cost, sent (USD)", t => t.Cost is { } c ? c.ToString("0.######", C) : "unknown (a model without a price, or no --prices)"),
        };
        var headers = new List<string> { "total" };
        headers.AddRange(page.Runs.Select((_, i) => page.Label(i)));
        var rows = names.Select(n => (IReadOnlyList<string>)[n.Name, .. page.Runs.Select(r => n.Value(r.Run!))]).ToList();
        var bars = SvgCharts.Bars("requests", "Requests sent and answered from the cache", "requests", "count", ["sent", "cache hits"],
            [.. page.Runs.Select((r, i) => new BarSeries(page.Runs.Count == 1 ? "requests" : page.Label(i), [r.Run!.Sent, r.Run.CacheHits], i))]);
        return new ReportSection("tokens", "Tokens and cost")
        {
            Text = "Sent requests are paid for; the cache's answers are not. Tokens in results add up the usage of every success in the journal.",
            Charts = [bars],
            Tables = [new DataTable(headers, rows)],
        };
    }

    private static ReportSection ErrorsSection(ReportPage page)
    {
        var kinds = page.Runs.SelectMany(r => r.Run!.Errors).GroupBy(e => e.Kind).OrderByDescending(g => g.Sum(e => e.Count)).Select(g => g.Key).ToList();
        var series = page.Runs.Select((r, i) => new BarSeries(
            page.Runs.Count == 1 ? "items" : page.Label(i),
            [.. kinds.Select(k => (double)(r.Run!.Errors.FirstOrDefault(e => e.Kind == k)?.Count ?? 0))],
            i)).ToList();
        var examples = new List<IReadOnlyList<string>>();
        for (int i = 0; i < page.Runs.Count; i++)
        {
            examples.AddRange(page.Runs[i].Run!.Errors.Select(e => (IReadOnlyList<string>)[page.Label(i), e.Kind, e.Count.ToString("N0", C), e.Example]));
        }

        return new ReportSection("errors", "Failures by kind")
        {
            Text = kinds.Count == 0
                ? "No item failed."
                : "Items whose final result failed (after every retry), by HTTP status and the provider's error code, or Sluice's code for a request with no answer.",
            Charts = [SvgCharts.Bars("errors", "Failed items by kind", "kind", "items", kinds, series)],
            Tables = examples.Count == 0 ? [] : [new DataTable(["run", "kind", "items", "example message"], examples)],
        };
    }

    private static IEnumerable<ReportSection> EvalSections(ReportPage page)
    {
        var evaluators = page.Runs.SelectMany(r => r.Eval!.Metrics.Select(m => m.Evaluator)).Distinct().ToList();
        var metricRows = new List<IReadOnlyList<string>>();
        foreach (string evaluator in evaluators)
        {
            for (int i = 0; i < page.Runs.Count; i++)
            {
                if (page.Runs[i].Eval!.Metrics.FirstOrDefault(m => m.Evaluator == evaluator) is { } m)
                {
                    metricRows.Add([evaluator, page.Label(i), Score(m.Mean), $"{Score(m.CiLow)} – {Score(m.CiHigh)}", m.N.ToString("N0", C), m.Invalid.ToString("N0", C)]);
                }
            }
        }

        var skipped = page.Runs.SelectMany((r, i) => r.Eval!.Skipped.Select(s => (IReadOnlyList<string>)[page.Label(i), s.Key, s.Value])).ToList();
        var tables = new List<DataTable> { new(["evaluator", "run", "mean", "95% interval", "n", "invalid"], metricRows) };
        if (skipped.Count > 0)
        {
            tables.Add(new DataTable(["run", "skipped evaluator", "why"], skipped));
        }

        var charts = new List<Chart>();
        foreach (string evaluator in evaluators)
        {
            var scores = page.Runs.Select(r => r.Eval!.Scores.GetValueOrDefault(evaluator) ?? []).ToList();
            var (categories, counts) = ScoreBins(scores);
            charts.Add(SvgCharts.Bars(
                $"scores-{evaluators.IndexOf(evaluator)}-{Slug(evaluator)}", $"Score distribution: {evaluator}", "score", "cases", categories,
                [.. counts.Select((c, i) => new BarSeries(page.Runs.Count == 1 ? "cases" : page.Label(i), c, i))]));
        }

        yield return new ReportSection("scores", "Scores by evaluator") { Charts = charts, Tables = tables };

        var cases = new List<(string, EvalCase, string?)>();
        foreach (string evaluator in evaluators)
        {
            for (int i = 0; i < page.Runs.Count; i++)
            {
                var eval = page.Runs[i].Eval!;
                cases.AddRange((eval.Worst.GetValueOrDefault(evaluator) ?? []).Select(c => (page.Label(i), c, eval.Dataset)));
            }
        }

        yield return new ReportSection("worst", "Worst cases by evaluator")
        {
            Text = $"The {EvalDirectoryReader.WorstCount} lowest-scoring valid cases of each evaluator, with the dataset line they came from.",
            Cases = cases,
        };
    }

    /// <summary>Bins for scores: whole numbers when every score is a whole number in a short range (a 1–5 judge), else
    /// ten equal bins from the lowest to the highest score (0–1 when they fall inside it).</summary>
    internal static (IReadOnlyList<string> Categories, IReadOnlyList<IReadOnlyList<double>> Counts) ScoreBins(IReadOnlyList<IReadOnlyList<double>> runs)
    {
        var all = runs.SelectMany(s => s).ToList();
        if (all.Count == 0)
        {
            return ([], [.. runs.Select(_ => (IReadOnlyList<double>)[])]);
        }

        double min = all.Min(), max = all.Max();
        if (all.All(s => s == Math.Floor(s)) && max - min <= 10)
        {
            var values = Enumerable.Range((int)min, (int)(max - min) + 1).ToList();
            return (
                [.. values.Select(v => v.ToString(C))],
                [.. runs.Select(s => (IReadOnlyList<double>)[.. values.Select(v => (double)s.Count(x => x == v))])]);
        }

        if (min >= 0 && max <= 1)
        {
            (min, max) = (0, 1);
        }

        const int bins = 10;
        double width = (max - min) / bins;
        var categories = Enumerable.Range(0, bins).Select(b => $"{SvgCharts.Number(Math.Round(min + (b * width), 3))}–{SvgCharts.Number(Math.Round(min + ((b + 1) * width), 3))}").ToList();
        return (categories, [.. runs.Select(s =>
        {
            var counts = new double[bins];
            foreach (double x in s)
            {
                counts[Math.Clamp((int)((x - min) / width), 0, bins - 1)]++;
            }

            return (IReadOnlyList<double>)counts;
        })]);
    }

    /// <summary>The per-second rate of a cumulative count between samples of one session at least 0.9 s apart.</summary>
    internal static IReadOnlyList<(double X, double Y)> Rate(IReadOnlyList<TimelinePoint> points, Func<TimelinePoint, long> count)
    {
        var rates = new List<(double, double)>();
        TimelinePoint? anchor = null;
        foreach (var p in points)
        {
            if (anchor is null || anchor.Session != p.Session)
            {
                anchor = p;
                continue;
            }

            double dt = p.T - anchor.T;
            if (dt >= 0.9)
            {
                rates.Add((p.T, Math.Max(0, count(p) - count(anchor)) / dt));
                anchor = p;
            }
        }

        return rates;
    }

    public static string Format(double? value, HeadlineFormat format) => value is not { } v ? "–" : format switch
    {
        HeadlineFormat.Count => v.ToString("N0", C),
        HeadlineFormat.Seconds => v.ToString("N1", C),
        HeadlineFormat.Milliseconds => Milliseconds(v),
        HeadlineFormat.Dollars => "$" + v.ToString("0.######", C),
        HeadlineFormat.Score => v.ToString("0.###", C),
        _ => v.ToString("N2", C),
    };

    private static string Delta(double? a, double? b, HeadlineFormat format)
    {
        if (a is not { } x || b is not { } y)
        {
            return "–";
        }

        string sign = y - x > 0 ? "+" : y - x < 0 ? "−" : "±";
        string magnitude = Format(Math.Abs(y - x), format);
        return x == 0 ? sign + magnitude : string.Create(C, $"{sign}{magnitude} ({(y - x) / Math.Abs(x) * 100:+0.#;−0.#;0}%)");
    }

    private static string Milliseconds(double ms) => ms >= 1000 ? (ms / 1000).ToString("0.##", C) + " s" : ms.ToString("0.#", C) + " ms";

    private static string Score(double? value) => value is { } v ? v.ToString("0.###", C) : "–";

    internal static string Slug(string text)
    {
        var chars = text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        return new string(chars).Trim('-');
    }
}
