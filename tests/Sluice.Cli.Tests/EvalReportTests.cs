using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice eval</c> with the simulator as judge, then <c>sluice report</c> on its run directory (and
/// <c>--compare</c> of two evals), as real child processes, the report opened in headless Chromium.</summary>
public sealed class EvalReportTests
{
    private const int Cases = 30;

    private static readonly ScriptedReply[] JudgeRules =
    [
        new(@"^Decide whether the information below", "YES\nThe context supports the information."),
        new(@"^## User query", "4\nMostly right."),
    ];

    private const string EveryChartSize = """
        JSON.stringify([...document.querySelectorAll('svg')].map(s => {
          const r = s.getBoundingClientRect();
          return { id: s.id, width: r.width, height: r.height, marks: s.querySelectorAll('polyline, rect').length, table: !!s.parentElement.querySelector('.data table') };
        }))
        """;

    [Fact]
    public async Task An_eval_with_a_judge_writes_a_timeline_and_its_report_shows_throughput_latency_scores_and_worst_cases()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 150, Rules = JudgeRules });
        string dir = Files.TempDirectory();
        string dataset = Dataset(dir);
        string run = Path.Combine(dir, "eval-a");
        string[] evaluators = ["token_f1", "rouge_l", "faithfulness", "correctness"];

        var eval = await Cli.RunAsync(dir, Runs.Key, Arguments(simulator, dataset, run, evaluators));
        Assert.True(eval.ExitCode == 0, Runs.Explain(eval));
        Assert.Contains($"report: sluice report {run}", eval.Stdout);

        // The timeline: one session of cases × evaluators outcomes, all done at the end, and one chat-model call per judge outcome.
        var timeline = Runs.Lines(Path.Combine(run, "timeline.jsonl"));
        var session = Assert.Single(timeline, l => l.GetProperty("type").GetString() == "session");
        Assert.Equal(Cases * evaluators.Length, session.GetProperty("total").GetInt64());
        var samples = timeline.Where(l => l.GetProperty("type").GetString() == "sample").ToList();
        Assert.True(samples.Count >= 3, $"{samples.Count} samples: one at the start, one a second, one at the end");
        Assert.Equal(Cases * evaluators.Length, samples[^1].GetProperty("done").GetInt64());
        Assert.Equal(Cases * evaluators.Length, samples[^1].GetProperty("succeeded").GetInt64());
        Assert.Equal(0, samples[^1].GetProperty("in_flight").GetInt64());
        Assert.Contains(samples, s => s.GetProperty("in_flight").GetInt64() > 0);
        Assert.All(samples, s => Assert.Equal(4, s.GetProperty("concurrency_limit").GetInt32()));
        var calls = timeline.Last(l => l.GetProperty("type").GetString() == "latency" && l.GetProperty("of").GetString() == "request");
        Assert.Equal(Cases * 2, calls.GetProperty("counts").EnumerateArray().Sum(c => c.GetInt64()));
        var attempts = timeline.Last(l => l.GetProperty("type").GetString() == "latency" && l.GetProperty("of").GetString() == "attempt");
        Assert.Equal(Cases * 2, attempts.GetProperty("counts").EnumerateArray().Sum(c => c.GetInt64()));

        var report = await Cli.RunAsync(dir, Runs.Key, "report", run);
        Assert.True(report.ExitCode == 0, Runs.Explain(report));
        string html = Path.Combine(run, "report.html");
        string text = File.ReadAllText(html);
        var data = ReportDataBlock.Of(text).GetProperty("runs")[0];
        Assert.Equal(samples.Count, data.GetProperty("timeline").GetProperty("samples").GetArrayLength());
        foreach (string evaluator in evaluators)
        {
            Assert.Equal(Cases, data.GetProperty("eval").GetProperty("scores").GetProperty(evaluator).GetArrayLength());
            Assert.Equal(5, data.GetProperty("eval").GetProperty("worst").GetProperty(evaluator).GetArrayLength());
        }

        // token_f1's worst cases are the wrong answers (even lines), linked to their dataset lines.
        Assert.Matches(@">qa\.jsonl:\d*[02468]</a>", text);
        string md = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("| correctness | run | 4 |", md);
        Assert.Contains("outcomes per second", text);
        foreach (string file in Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], File.ReadAllText(file)); // the report included
        }

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(html);
        var charts = JsonNode.Parse((await page.EvaluateAsync(EveryChartSize))!.GetValue<string>())!.AsArray();
        Assert.Equal(
            ["throughput", "concurrency", "rate-limits", "latency", "scores-0-token-f1", "scores-1-rouge-l", "scores-2-faithfulness", "scores-3-correctness"],
            charts.Select(c => c!["id"]!.GetValue<string>()));
        Assert.All(charts, c =>
        {
            Assert.True(c!["width"]!.GetValue<double>() > 0 && c["height"]!.GetValue<double>() > 0, $"chart {c["id"]} rendered with no size");
            Assert.True(c["marks"]!.GetValue<int>() > 1, $"chart {c["id"]} draws nothing");
            Assert.True(c["table"]!.GetValue<bool>(), $"chart {c["id"]} has no table beside it");
        });
        Assert.Equal([page.Url], page.Requests); // the file itself, and nothing else
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Compare_of_two_real_evals_with_different_evaluators_overlays_their_timelines_and_pairs_their_scores()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, Rules = JudgeRules });
        string dir = Files.TempDirectory();
        string dataset = Dataset(dir);
        string a = Path.Combine(dir, "eval-a"), b = Path.Combine(dir, "eval-b");
        var first = await Cli.RunAsync(dir, Runs.Key, Arguments(simulator, dataset, a, ["token_f1", "correctness"]));
        Assert.True(first.ExitCode == 0, Runs.Explain(first));
        var second = await Cli.RunAsync(dir, Runs.Key, Arguments(simulator, dataset, b, ["token_f1", "faithfulness"]));
        Assert.True(second.ExitCode == 0, Runs.Explain(second));

        var report = await Cli.RunAsync(dir, Runs.Key, "report", b, "--compare", a, "-o", "compare.html");
        Assert.True(report.ExitCode == 0, Runs.Explain(report));
        string md = File.ReadAllText(Path.Combine(dir, "compare.md"));
        Assert.Contains("| measure | A | B | change (B − A) |", md);
        Assert.Contains("| token_f1 mean |", md);
        Assert.Contains("| correctness mean |", md);
        Assert.Contains("| faithfulness mean |", md);
        string text = File.ReadAllText(Path.Combine(dir, "compare.html"));
        Assert.Contains("A: outcomes per second", text);
        Assert.Contains("B: outcomes per second", text);
        foreach (string file in new[] { "compare.html", "compare.md" })
        {
            Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], File.ReadAllText(Path.Combine(dir, file)));
        }

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(Path.Combine(dir, "compare.html"));
        var charts = JsonNode.Parse((await page.EvaluateAsync(EveryChartSize))!.GetValue<string>())!.AsArray();
        Assert.Equal(
            ["throughput", "concurrency", "rate-limits", "latency", "scores-0-token-f1", "scores-1-faithfulness", "scores-2-correctness"],
            charts.Select(c => c!["id"]!.GetValue<string>()));
        Assert.All(charts, c => Assert.True(c!["width"]!.GetValue<double>() > 0 && c["height"]!.GetValue<double>() > 0, $"chart {c["id"]} rendered with no size"));
        Assert.Equal([page.Url], page.Requests);
        Assert.Empty(page.Errors);
    }

    private static string[] Arguments(SimulatorHost simulator, string dataset, string run, string[] evaluators) =>
    [
        "eval", "--dataset", dataset, "--evaluators", string.Join(',', evaluators), "--workers", "4", "-o", run,
        "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "gpt-4o-mini", "--api-key-env", Runs.KeyVariable,
    ];

    /// <summary>Cases with their response and passages; the even lines' responses are wrong.</summary>
    private static string Dataset(string dir)
    {
        string path = Path.Combine(dir, "qa.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, Cases).Select(i =>
            $$"""{"id": "c{{i}}", "query": "What is fact {{i}}?", "reference": "Fact {{i}} is {{i * 7}}.", "response": "{{(i % 2 == 0 ? "Nobody knows that one." : $"Fact {i} is {i * 7}.")}}", "contexts": ["The record says fact {{i}} is {{i * 7}}."]}"""));
        return path;
    }

}
