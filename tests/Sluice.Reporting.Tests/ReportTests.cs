using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Reporting.Tests;

/// <summary>The written report: self-contained, its data embedded, secrets left out, two runs side by side.</summary>
public sealed partial class ReportTests
{
    [Fact]
    public async Task The_HTML_report_is_self_contained_with_its_data_as_a_JSON_block()
    {
        string dir = Fixtures.RunDirectory(Fixtures.TempDirectory());
        var files = await RunReports.WriteAsync(new ReportOptions { RunDirectory = dir });

        Assert.Equal(Path.Combine(dir, "report.html"), files.HtmlPath);
        Assert.Equal(Path.Combine(dir, "report.md"), files.MarkdownPath);
        string html = File.ReadAllText(files.HtmlPath);
        AssertSelfContained(html);
        var data = DataBlock(html);
        var run = data.GetProperty("runs")[0];
        Assert.Equal("run", run.GetProperty("kind").GetString());
        Assert.Equal(6, run.GetProperty("timeline").GetProperty("samples").GetArrayLength());
        Assert.Equal(7, run.GetProperty("run").GetProperty("rate_limited").GetInt64());
        foreach (string id in new[] { "throughput", "concurrency", "rate-limits", "latency", "requests", "errors" })
        {
            Assert.Contains($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\"", html);
        }

        Assert.Equal(Regex.Matches(html, "<svg ").Count, Regex.Matches(html, "<div class=\"data\"><table>").Count); // a table beside every chart
        string md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("| HTTP 500 server_error | 2 |", md);
        Assert.Contains("| 429 responses | 7 |", md);
    }

    [Fact]
    public async Task Secrets_in_the_manifest_or_in_error_messages_never_reach_the_report()
    {
        string dir = Fixtures.RunDirectory(Fixtures.TempDirectory());
        const string Key = "sk-live-0123456789abcdefghij";
        File.WriteAllText(Path.Combine(dir, "manifest.json"), Fixtures.Json(new
        {
            format = 1,
            input = new { sha256 = "00", length = 1 },
            settings = new Dictionary<string, string> { ["base URL"] = "http://127.0.0.1:1/v1", ["api key"] = Key, ["note"] = "Bearer " + Key },
            sluice_version = "1.0.0",
            created_at = "2026-01-01T00:00:00+00:00",
        }));
        File.AppendAllText(Path.Combine(dir, "journal.jsonl"),
            Fixtures.JournalLine("leak", 401, "{\"error\":{\"message\":\"Incorrect API key provided: " + Key + "\",\"code\":\"invalid_api_key\"}}") + "\n");

        var files = await RunReports.WriteAsync(new ReportOptions { RunDirectory = dir });
        foreach (string path in new[] { files.HtmlPath, files.MarkdownPath })
        {
            string text = File.ReadAllText(path);
            Assert.DoesNotContain(Key, text);
            Assert.DoesNotContain("0123456789abcdefghij", text);
        }

        Assert.Contains("HTTP 401 invalid_api_key", File.ReadAllText(files.MarkdownPath));
        Assert.Contains("http://127.0.0.1:1/v1", File.ReadAllText(files.MarkdownPath));
    }

    [Fact]
    public async Task An_eval_report_shows_each_evaluator_s_distribution_and_worst_cases_linked_to_dataset_lines()
    {
        string parent = Fixtures.TempDirectory();
        string dir = Fixtures.EvalDirectory(parent);
        var files = await RunReports.WriteAsync(new ReportOptions { RunDirectory = dir });

        string html = File.ReadAllText(files.HtmlPath);
        AssertSelfContained(html);
        Assert.Contains("id=\"scores-0-token-f1\"", html);
        Assert.Contains("id=\"scores-1-relevancy\"", html);
        Assert.Contains(">qa.jsonl:1</a>", html);
        Assert.Contains("href=\"" + new Uri(Path.Combine(parent, "qa.jsonl")).AbsoluteUri + "\"", html);
        Assert.Contains("no overlap &lt;b&gt;at all&lt;/b&gt;", html); // feedback is text, never markup
        Assert.DoesNotContain("id=\"throughput\"", html); // no timeline in this directory
        string md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("| token_f1 | run | 0.5 | 0.3 – 0.7 | 6 | 0 |", md);
        Assert.Contains("| run | faithfulness | needs a chat model (--judge-base-url) |", md);
        Assert.Contains($"`{Path.Combine(parent, "qa.jsonl")}:1`", md);
        Assert.Contains("no overlap \\<b\\>at all\\</b\\>", md); // text from the run is never markup in the summary either
        Assert.DoesNotContain("<b>", md);
    }

    [Fact]
    public async Task A_relative_dataset_path_is_named_but_not_linked()
    {
        string dir = Fixtures.EvalDirectory(Fixtures.TempDirectory());
        string summary = Path.Combine(dir, "summary.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(summary))!;
        json["dataset"] = "samples/qa.jsonl";
        File.WriteAllText(summary, json.ToJsonString());
        var files = await RunReports.WriteAsync(new ReportOptions { RunDirectory = dir });
        string html = File.ReadAllText(files.HtmlPath);
        Assert.Contains("<p>input: qa.jsonl:1", html);
        Assert.DoesNotContain("href=\"file:", html);
    }

    [Fact]
    public async Task Two_runs_side_by_side_show_the_change_of_each_headline_number_and_paired_charts()
    {
        string parent = Fixtures.TempDirectory();
        string a = Fixtures.RunDirectory(parent, "a.jsonl.sluice", failures500: 2, rateLimited: 7);
        string b = Fixtures.RunDirectory(parent, "b.jsonl.sluice", failures500: 1, rateLimited: 14);
        string output = Path.Combine(parent, "compare.html");
        var files = await RunReports.WriteAsync(new ReportOptions { RunDirectory = b, CompareDirectory = a, HtmlPath = output });

        Assert.Equal(Path.Combine(parent, "compare.md"), files.MarkdownPath);
        string md = File.ReadAllText(files.MarkdownPath);
        Assert.Contains("| measure | A | B | change (B − A) |", md);
        Assert.Contains("| 429 responses | 14 | 7 | −7 (−50%) |", md);
        Assert.Contains("| failed | 1 | 2 | +1 (+100%) |", md);
        string html = File.ReadAllText(files.HtmlPath);
        Assert.Contains("A: items per second", html);
        Assert.Contains("B: items per second", html);
        Assert.Equal(2, DataBlock(html).GetProperty("runs").GetArrayLength());

        string evalA = Fixtures.EvalDirectory(parent, "eval-a"), evalB = Fixtures.EvalDirectory(parent, "eval-b", shift: 0.1);
        var evals = await RunReports.WriteAsync(new ReportOptions { RunDirectory = evalA, CompareDirectory = evalB });
        Assert.Contains("| token_f1 mean | 0.5 | 0.6 | +0.1 (+20%) |", File.ReadAllText(evals.MarkdownPath));

        var mixed = await Assert.ThrowsAsync<ReportInputException>(() => RunReports.WriteAsync(new ReportOptions { RunDirectory = a, CompareDirectory = evalA }));
        Assert.Contains("compare a run with a run", mixed.Message);
    }

    private static void AssertSelfContained(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("default-src 'none'", html);
        Assert.DoesNotMatch(SrcAttribute(), html);                 // no image, script, frame or font from anywhere
        Assert.DoesNotMatch(RemoteHref(), html);                   // no stylesheet or link to the network
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.Single(Regex.Matches(html, "<script"));              // the data block, which never runs
        Assert.Contains("<script type=\"application/json\" id=\"sluice-report-data\">", html);
    }

    private static JsonElement DataBlock(string html)
    {
        var match = Regex.Match(html, "<script type=\"application/json\" id=\"sluice-report-data\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(match.Success);
        return JsonDocument.Parse(match.Groups[1].Value).RootElement.Clone();
    }

    [GeneratedRegex(@"\ssrc\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SrcAttribute();

    [GeneratedRegex(@"href=""(https?:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteHref();
}
