using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice report</c> as a user runs it: a real <c>sluice run</c> against a simulator that rate-limits and
/// fails, then the report, opened in headless Chromium.</summary>
public sealed class ReportTests
{
    /// <summary>Set to a path (docs/report-screenshot.png) to keep the screenshot of the report test there.</summary>
    private const string ScreenshotVariable = "SLUICE_REPORT_SCREENSHOT";

    private static readonly Dictionary<string, string> Key = new() { ["SLUICE_TEST_KEY"] = "sk-test-report-9f8e7d6c5b4a39281706" };

    private const string EveryChartSize = """
        JSON.stringify([...document.querySelectorAll('svg')].map(s => {
          const r = s.getBoundingClientRect();
          return { id: s.id, width: r.width, height: r.height, marks: s.querySelectorAll('polyline, rect').length, table: !!s.parentElement.querySelector('.data table') };
        }))
        """;

    [Fact]
    public async Task A_run_with_429s_and_500s_reports_every_chart_rendered_in_Chromium_with_no_network_request_and_no_key()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 5,
            JitterMs = 4,
            Error500Rate = 0.10,
            RequestsPerMinute = 6_000,
            BurstSeconds = 1,
        });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 800);
        // --rpm above the simulator's limit: the run meets 429s (the limit it was told is wrong) and 500s, retries them,
        // and with two attempts a few items fail for good. About 8 seconds at the simulator's 100 requests a second.
        var run = await Cli.RunAsync(dir, Key, "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(),
            "--api-key-env", "SLUICE_TEST_KEY", "--rpm", "9000", "--concurrency", "16", "--max-attempts", "2");
        Assert.True(run.ExitCode is 0 or 3, Explain(run));
        string runDirectory = Path.Combine(dir, "results.jsonl.sluice");
        Assert.True(File.Exists(Path.Combine(runDirectory, "timeline.jsonl")));

        var report = await Cli.RunAsync(dir, Key, "report", runDirectory);
        Assert.True(report.ExitCode == 0, Explain(report));
        string html = Path.Combine(runDirectory, "report.html"), markdown = Path.Combine(runDirectory, "report.md");
        Assert.Contains("sluice: report " + html, report.Stdout);
        Assert.Contains("sluice: summary " + markdown, report.Stdout);

        // What the report shows is what the run did.
        var data = ReportDataBlock.Of(File.ReadAllText(html)).GetProperty("runs")[0];
        var totals = data.GetProperty("run");
        Assert.True(totals.GetProperty("rate_limited").GetInt64() > 0, "the run met 429s");
        Assert.True(totals.GetProperty("retries").GetInt64() > 0, "the run retried");
        Assert.Equal(800, totals.GetProperty("succeeded").GetInt64() + totals.GetProperty("failed").GetInt64());
        Assert.True(data.GetProperty("timeline").GetProperty("samples").GetArrayLength() >= 3, "a sample at the start, one a second, one at the end");
        if (totals.GetProperty("failed").GetInt64() > 0)
        {
            Assert.Contains(totals.GetProperty("errors").EnumerateArray(), e => e.GetProperty("kind").GetString()!.StartsWith("HTTP 500", StringComparison.Ordinal));
        }

        // No API key in any file of the run directory or the report.
        foreach (string file in Directory.GetFiles(runDirectory))
        {
            Assert.DoesNotContain(Key["SLUICE_TEST_KEY"], File.ReadAllText(file));
        }

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(html);
        var charts = JsonNode.Parse((await page.EvaluateAsync(EveryChartSize))!.GetValue<string>())!.AsArray();
        Assert.Equal(["throughput", "concurrency", "rate-limits", "latency", "requests", "errors"], charts.Select(c => c!["id"]!.GetValue<string>()));
        Assert.All(charts, c =>
        {
            Assert.True(c!["width"]!.GetValue<double>() > 0 && c["height"]!.GetValue<double>() > 0, $"chart {c["id"]} rendered with no size");
            Assert.True(c["table"]!.GetValue<bool>(), $"chart {c["id"]} has no table beside it");
        });
        Assert.Equal([page.Url], page.Requests); // the file itself, and nothing else
        Assert.Empty(page.Errors);               // nor anything the page's policy had to refuse
        byte[] png = await page.ScreenshotAsync(maxHeight: 2400);
        Assert.True(png.Length > 10_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G');
        string shot = Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } keep ? keep : Path.Combine(dir, "report.png");
        await File.WriteAllBytesAsync(shot, png);
    }

    [Fact]
    public async Task An_eval_directory_reports_score_distributions_and_worst_cases_linked_to_their_dataset_lines()
    {
        string dir = Files.TempDirectory();
        string evalDirectory = EvalFixture(dir, "eval-run", 0);

        var report = await Cli.RunAsync(dir, null, "report", evalDirectory);
        Assert.True(report.ExitCode == 0, Explain(report));
        string html = Path.Combine(evalDirectory, "report.html");
        string text = File.ReadAllText(html);
        Assert.Contains(">qa.jsonl:2</a>", text); // the worst token_f1 case: the dataset's line 2
        string md = File.ReadAllText(Path.Combine(evalDirectory, "report.md"));
        Assert.Contains("| token_f1 | run | 0.4 |", md);
        Assert.Contains("| run | faithfulness | no judge model |", md);

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(html);
        var charts = JsonNode.Parse((await page.EvaluateAsync(EveryChartSize))!.GetValue<string>())!.AsArray();
        Assert.Equal(["scores-0-token-f1", "scores-1-exact"], charts.Select(c => c!["id"]!.GetValue<string>()));
        Assert.All(charts, c => Assert.True(c!["width"]!.GetValue<double>() > 0 && c["height"]!.GetValue<double>() > 0 && c["marks"]!.GetValue<int>() > 1));
        Assert.Equal([page.Url], page.Requests);
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Compare_puts_two_runs_side_by_side_with_the_change_of_each_headline_number()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 200);
        foreach (string output in new[] { "a.jsonl", "b.jsonl" })
        {
            var run = await Cli.RunAsync(dir, Key, "run", "-i", input, "-o", output, "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY");
            Assert.True(run.ExitCode == 0, Explain(run));
        }

        var report = await Cli.RunAsync(dir, null, "report", "b.jsonl", "--compare", "a.jsonl.sluice", "-o", "compare.html");
        Assert.True(report.ExitCode == 0, Explain(report));
        string md = File.ReadAllText(Path.Combine(dir, "compare.md"));
        Assert.Contains("| measure | A | B | change (B − A) |", md);
        Assert.Contains("| items done | 200 | 200 | ±0 (0%) |", md);

        string evalA = EvalFixture(dir, "eval-a", 0), evalB = EvalFixture(dir, "eval-b", 1);
        report = await Cli.RunAsync(dir, null, "report", evalB, "--compare", evalA);
        Assert.True(report.ExitCode == 0, Explain(report));
        Assert.Contains("| token_f1 mean |", File.ReadAllText(Path.Combine(evalB, "report.md")));

        await using var chromium = await HeadlessChromium.StartAsync();
        foreach (string html in new[] { Path.Combine(dir, "compare.html"), Path.Combine(evalB, "report.html") })
        {
            var page = await chromium.OpenAsync(html);
            var charts = JsonNode.Parse((await page.EvaluateAsync(EveryChartSize))!.GetValue<string>())!.AsArray();
            Assert.NotEmpty(charts);
            Assert.All(charts, c => Assert.True(c!["width"]!.GetValue<double>() > 0 && c["height"]!.GetValue<double>() > 0));
            Assert.Equal([page.Url], page.Requests);
            Assert.Empty(page.Errors);
        }

        var mixed = await Cli.RunAsync(dir, null, "report", "a.jsonl.sluice", "--compare", evalA);
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("sluice: --compare: " + evalA, mixed.Stderr);
    }

    [Fact]
    public async Task A_bad_run_directory_exits_2_naming_the_file_and_the_line()
    {
        string dir = Files.TempDirectory();
        var missing = await Cli.RunAsync(dir, null, "report", "nowhere.sluice");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"sluice: run-dir: {Path.Combine(dir, "nowhere.sluice")}: no such directory", missing.Stderr);

        var notRun = await Cli.RunAsync(dir, null, "report", dir);
        Assert.Equal(2, notRun.ExitCode);
        Assert.Contains("not a run directory", notRun.Stderr);

        string evalDirectory = EvalFixture(dir, "eval-run", 0);
        var lines = File.ReadAllLines(Path.Combine(evalDirectory, "results.jsonl"));
        lines[3] = "{\"evaluator\": \"token_f1\", \"query\": ";
        File.WriteAllLines(Path.Combine(evalDirectory, "results.jsonl"), lines);
        var corrupt = await Cli.RunAsync(dir, null, "report", evalDirectory);
        Assert.Equal(2, corrupt.ExitCode);
        Assert.Contains($"{Path.Combine(evalDirectory, "results.jsonl")}:4: not valid JSON", corrupt.Stderr);
        Assert.False(File.Exists(Path.Combine(evalDirectory, "report.html")));
    }

    [Fact]
    public async Task The_browser_checks_see_a_page_that_reaches_for_the_network()
    {
        string dir = Files.TempDirectory();
        string open = Path.Combine(dir, "open.html"), closed = Path.Combine(dir, "closed.html");
        const string Image = "<img src=\"http://127.0.0.1:9/chart.png\" alt=\"\">";
        File.WriteAllText(open, "<!DOCTYPE html><html><body>" + Image + "</body></html>");
        File.WriteAllText(closed, "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head><body>" + Image + "</body></html>");

        await using var chromium = await HeadlessChromium.StartAsync();
        var first = await chromium.OpenAsync(open);
        Assert.Contains("http://127.0.0.1:9/chart.png", first.Requests);
        var second = await chromium.OpenAsync(closed);
        Assert.Contains(second.Errors, e => e.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    /// <summary>An eval run directory in the contract's shape (summary.json with kind eval, results.jsonl with
    /// EvalRecord's fields plus case_id and line), and its dataset beside it.</summary>
    private static string EvalFixture(string parent, string name, double shift)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        string dataset = Path.Combine(parent, "qa.jsonl");
        File.WriteAllLines(dataset, Enumerable.Range(1, 5).Select(i => JsonSerializer.Serialize(new { query = $"q {i}", reference = $"a {i}" })));
        double[] f1 = [0.9, 0.1, 0.5, 0.3, 0.2];
        File.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(new
        {
            kind = "eval",
            dataset,
            index = (string?)null,
            cases = 5,
            elapsed_seconds = 1.25,
            evaluators = new[] { "token_f1", "exact" },
            skipped = new[] { new { name = "faithfulness", reason = "no judge model" } },
            metrics = new[]
            {
                new { evaluator = "token_f1", mean = Math.Round(f1.Average() + (shift / 10), 3), ci_low = 0.1, ci_high = 0.7, n = 5, invalid = 0 },
                new { evaluator = "exact", mean = 0.4, ci_low = 0.0, ci_high = 0.8, n = 5, invalid = 0 },
            },
        }));
        var lines = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            lines.Add(JsonSerializer.Serialize(new { evaluator = "token_f1", index = i, case_id = $"c{i + 1}", line = i + 1, query = $"q {i + 1}", response = $"r {i + 1}", score = Math.Min(1, f1[i] + (shift / 10)), feedback = (string?)null, invalid_result = false, attempts = 1, elapsed_ms = 0.4 }));
            lines.Add(JsonSerializer.Serialize(new { evaluator = "exact", index = i, case_id = $"c{i + 1}", line = i + 1, query = $"q {i + 1}", response = $"r {i + 1}", score = (double?)null, passing = i % 2 == 0, feedback = "exact match", invalid_result = false, attempts = 1, elapsed_ms = 0.1 }));
        }

        File.WriteAllLines(Path.Combine(dir, "results.jsonl"), lines);
        return dir;
    }


    private static string Explain((int ExitCode, string Stdout, string Stderr) run) => Runs.Explain(run);
}
