using System.Globalization;
using System.Text.Json;

namespace Sluice.Reporting;

/// <summary>Reads the run directory of <c>sluice eval</c>: <c>summary.json</c> (<c>kind</c> <c>eval</c>: dataset,
/// index, cases, elapsed seconds, evaluators, skipped evaluators, metrics) and <c>results.jsonl</c> (one line per case
/// and evaluator: <c>Sluice.Evaluation.EvalRecord</c>'s fields plus <c>case_id</c> and <c>line</c>, the case's line in
/// the dataset).</summary>
internal static class EvalDirectoryReader
{
    /// <summary>The lowest-scoring cases kept per evaluator.</summary>
    public const int WorstCount = 5;

    public static ReportSource Read(string directory, JsonElement summary)
    {
        string summaryPath = Path.Combine(directory, "summary.json");
        var metrics = new List<EvalMetric>();
        if (summary.TryGetProperty("metrics", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in list.EnumerateArray())
            {
                string evaluator = JsonLines.String(m, "evaluator")
                    ?? throw new ReportInputException(summaryPath, null, "a \"metrics\" entry has no \"evaluator\" string.");
                metrics.Add(new EvalMetric(
                    Redaction.Clean(evaluator), JsonLines.Double(m, "mean"), JsonLines.Double(m, "ci_low"), JsonLines.Double(m, "ci_high"),
                    JsonLines.Long(m, "n") ?? 0, JsonLines.Long(m, "invalid") ?? 0));
            }
        }
        else
        {
            throw new ReportInputException(summaryPath, null, "field \"metrics\" is missing or not an array; expected the summary of sluice eval.");
        }

        var skipped = new List<KeyValuePair<string, string>>();
        if (summary.TryGetProperty("skipped", out var skippedList) && skippedList.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in skippedList.EnumerateArray())
            {
                skipped.Add(new(Redaction.Clean(JsonLines.String(s, "name") ?? "?"), Redaction.Clean(JsonLines.String(s, "reason") ?? "")));
            }
        }

        var evaluators = summary.TryGetProperty("evaluators", out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => Redaction.Clean(x.GetString()!)).ToList()
            : metrics.Select(m => m.Evaluator).ToList();

        var (scores, worst) = ReadResults(Path.Combine(directory, "results.jsonl"));
        string? dataset = JsonLines.String(summary, "dataset");
        var data = new EvalData
        {
            Dataset = dataset is null ? null : Redaction.Clean(dataset),
            Index = JsonLines.String(summary, "index") is { } index ? Redaction.Clean(index) : null,
            Cases = JsonLines.Long(summary, "cases"),
            ElapsedSeconds = JsonLines.Double(summary, "elapsed_seconds"),
            Evaluators = evaluators,
            Skipped = skipped,
            Metrics = metrics,
            Scores = scores,
            Worst = worst,
        };

        var facts = new List<KeyValuePair<string, string>>();
        RunDirectoryReader.AddFact(facts, "dataset", data.Dataset);
        RunDirectoryReader.AddFact(facts, "index", data.Index);
        RunDirectoryReader.AddFact(facts, "evaluators", string.Join(", ", evaluators));
        foreach (var (name, reason) in skipped)
        {
            RunDirectoryReader.AddFact(facts, "skipped " + name, reason);
        }

        var headlines = new List<Headline>
        {
            new("cases", data.Cases, HeadlineFormat.Count),
            new("elapsed (s)", data.ElapsedSeconds, HeadlineFormat.Seconds),
        };
        foreach (var metric in metrics)
        {
            headlines.Add(new Headline(metric.Evaluator + " mean", metric.Mean, HeadlineFormat.Score));
            headlines.Add(new Headline(metric.Evaluator + " invalid", metric.Invalid, HeadlineFormat.Count));
        }

        var timeline = TimelineReader.Read(Path.Combine(directory, "timeline.jsonl"));
        if (timeline is { Sessions: > 1 })
        {
            RunDirectoryReader.AddFact(facts, "sessions", timeline.Sessions.ToString(CultureInfo.InvariantCulture) + " (the run and its resumes)");
        }

        return new ReportSource
        {
            Kind = "eval",
            Directory = directory,
            Outcome = JsonLines.String(summary, "outcome"),
            Facts = facts,
            Headlines = headlines,
            Timeline = timeline,
            Eval = data,
        };
    }

    private static (Dictionary<string, IReadOnlyList<double>> Scores, Dictionary<string, IReadOnlyList<EvalCase>> Worst) ReadResults(string path)
    {
        var scores = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var worst = new Dictionary<string, List<EvalCase>>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            throw new ReportInputException(path, null, "no such file; an eval run directory holds results.jsonl beside summary.json.");
        }

        foreach (var (line, value) in JsonLines.Read(path))
        {
            string evaluator = Redaction.Clean(JsonLines.Require(JsonLines.String(value, "evaluator"), path, line, "evaluator"));
            if (JsonLines.Bool(value, "invalid_result") == true)
            {
                continue;
            }

            double? score = JsonLines.Double(value, "score") ?? (JsonLines.Bool(value, "passing") is { } passing ? passing ? 1 : 0 : null);
            if (score is not { } s)
            {
                continue;
            }

            if (!scores.TryGetValue(evaluator, out var list))
            {
                scores[evaluator] = list = [];
                worst[evaluator] = [];
            }

            list.Add(s);
            var lowest = worst[evaluator];
            if (lowest.Count < WorstCount || s < lowest[^1].Score)
            {
                var entry = new EvalCase(
                    evaluator,
                    JsonLines.String(value, "case_id") is { } id ? Redaction.Clean(id) : null,
                    JsonLines.Long(value, "line"),
                    (int)(JsonLines.Long(value, "index") ?? 0),
                    Redaction.Shorten(JsonLines.Require(JsonLines.String(value, "query"), path, line, "query"), 600),
                    JsonLines.String(value, "response") is { } response ? Redaction.Shorten(response, 1200) : null,
                    s,
                    JsonLines.String(value, "feedback") is { } feedback ? Redaction.Shorten(feedback, 600) : null);
                int at = lowest.FindIndex(c => c.Score > s);
                lowest.Insert(at < 0 ? lowest.Count : at, entry);
                if (lowest.Count > WorstCount)
                {
                    lowest.RemoveAt(lowest.Count - 1);
                }
            }
        }

        return (
            scores.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value, StringComparer.Ordinal),
            worst.ToDictionary(p => p.Key, p => (IReadOnlyList<EvalCase>)p.Value, StringComparer.Ordinal));
    }
}
