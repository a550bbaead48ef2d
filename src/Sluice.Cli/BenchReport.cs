using System.Globalization;
using System.Text;
using Sluice.AI;

namespace Sluice.Cli;

/// <summary>What <c>sluice bench</c> prints: the plan before anything is sent, and the tables, the recommendation and
/// the totals after.</summary>
internal static class BenchReport
{
    /// <summary>What the benchmark will send, said before it sends anything.</summary>
    public static IEnumerable<string> Announce(BenchmarkPlan plan, EndpointBenchmarkOptions options, string address)
    {
        var c = CultureInfo.InvariantCulture;
        string path = options.Endpoint == BenchmarkEndpoint.Chat ? "chat/completions" : "embeddings";
        yield return string.Create(c, $"sluice bench: {address}/{path}, model {options.Model}");
        yield return string.Create(c, $"sluice bench: will send at most {plan.MaxRequests:N0} requests (at most about {plan.MaxEstimatedTokens:N0} tokens{(options.Endpoint == BenchmarkEndpoint.Chat ? $", output capped at max_tokens {options.MaxOutputTokens}" : string.Empty)}), each once (no retries):");
        string groups = options.Endpoint == BenchmarkEndpoint.Embeddings ? string.Create(c, $", {options.GroupSize} texts per request") : string.Empty;
        yield return string.Create(c, $"  concurrency sweep: {string.Join(", ", plan.ConcurrencySteps.Select(s => s.Concurrency))}{groups}; {string.Join(" + ", plan.ConcurrencySteps.Select(s => s.Requests))} = {plan.ConcurrencyRequests:N0} requests");
        if (plan.DroppedConcurrencies.Count > 0)
        {
            yield return string.Create(c, $"  not planned (they would pass --max-requests {options.MaxRequests:N0}): concurrency {string.Join(", ", plan.DroppedConcurrencies)}");
        }

        if (plan.GroupSizes.Count > 0)
        {
            yield return string.Create(c, $"  group-size sweep at the recommended concurrency: {string.Join(", ", plan.GroupSizes)} texts per request; at most {plan.GroupSweepMaxRequests:N0} requests");
        }

        yield return "  each sweep stops early once throughput stops rising (a step gains less than 10 %) or more than 10 % of a step's requests are refused or fail.";
    }

    /// <summary>The table, the recommendation and the totals.</summary>
    public static string Report(EndpointBenchmarkResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        bool embeddings = result.Endpoint == BenchmarkEndpoint.Embeddings;
        text.AppendLine(string.Create(c, $"sluice bench: {result.BaseUrl}, model {result.Model}"));
        text.AppendLine();
        text.AppendLine("concurrency sweep" + (embeddings && result.ConcurrencySteps.Count > 0 ? string.Create(c, $" ({result.ConcurrencySteps[0].GroupSize} texts per request)") : string.Empty));
        Table(text, result.ConcurrencySteps, embeddings);
        if (result.ConcurrencyStopReason is { } stop)
        {
            text.AppendLine("  stopped early: " + stop);
        }

        if (embeddings)
        {
            text.AppendLine();
            text.AppendLine(result.Concurrency.Value is { } at ? string.Create(c, $"group-size sweep (concurrency {at})") : "group-size sweep");
            if (result.GroupSizeSteps.Count > 0)
            {
                Table(text, result.GroupSizeSteps, embeddings);
            }

            if (result.GroupSizeStopReason is { } groupStop)
            {
                text.AppendLine("  stopped early: " + groupStop);
            }
        }

        text.AppendLine();
        if (result.Concurrency.Value is { } concurrency)
        {
            text.AppendLine(string.Create(c, $"recommended: sluice run --concurrency {concurrency}"));
            text.AppendLine("  why: " + result.Concurrency.Reason);
            if (result.GroupSize is { Value: { } size } groupChoice)
            {
                // sluice run sends each line of its input as one request: the texts per request are fixed by whoever
                // writes that file; sluice embed takes the size as an option.
                text.AppendLine(string.Create(c, $"recommended group size: {size} texts per embeddings request: sluice run sends each line of its input file as written, so put {size} texts in each line's body \"input\" when you write the file; sluice embed takes --batch-size {size}"));
                text.AppendLine("  why: " + groupChoice.Reason);
            }
        }
        else
        {
            text.AppendLine("no recommendation: " + result.Concurrency.Reason);
        }

        text.AppendLine(string.Create(c, $"sent {result.RequestsSent:N0} requests (each once); the answers reported {result.TokensReported:N0} tokens"));
        return text.ToString();
    }

    private static void Table(StringBuilder text, IReadOnlyList<BenchmarkMeasurement> steps, bool embeddings)
    {
        var rows = new List<string[]>
        {
            embeddings
                ? ["concurrency", "texts/req", "requests", "req/s", "texts/s", "tokens/s", "p50 ms", "p90 ms", "p99 ms", "429 %", "errors %"]
                : ["concurrency", "requests", "req/s", "tokens/s", "p50 ms", "p90 ms", "p99 ms", "429 %", "errors %"],
        };
        foreach (var s in steps)
        {
            var cells = new List<string> { Whole(s.Concurrency) };
            if (embeddings)
            {
                cells.Add(Whole(s.GroupSize));
            }

            cells.Add(Whole(s.Requests));
            cells.Add(Rate(s.RequestsPerSecond));
            if (embeddings)
            {
                cells.Add(Rate(s.InputsPerSecond));
            }

            cells.AddRange([Rate(s.TokensPerSecond), Ms(s.LatencyP50Ms), Ms(s.LatencyP90Ms), Ms(s.LatencyP99Ms), Percent(s.RateLimitedShare), Percent(s.ErrorShare) + Kinds(s)]);
            rows.Add([.. cells]);
        }

        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(i => rows.Max(r => i < columns - 1 ? r[i].Length : 0)).ToArray();
        foreach (var row in rows)
        {
            text.AppendLine("  " + string.Join("  ", row.Select((cell, i) => i < columns - 1 ? cell.PadLeft(widths[i]) : cell)).TrimEnd());
        }
    }

    private static string Kinds(BenchmarkMeasurement step) =>
        step.FailedByKind.Count == 0 ? string.Empty : " (" + string.Join(", ", step.FailedByKind.Select(k => $"{k.Key}: {k.Value}")) + ")";

    private static string Whole(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString(value < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    public static string Ms(double? value) => value is { } v ? v.ToString(v < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture) : "-";

    public static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture);
}
