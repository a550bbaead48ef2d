using Sluice.BatchFiles;

namespace Sluice.Reporting.Tests;

/// <summary>The readers of run and eval directories, and their errors naming the file and the line.</summary>
public sealed class ReaderTests
{
    [Fact]
    public async Task A_run_directory_reads_its_sessions_end_to_end_its_failures_by_kind_and_its_totals()
    {
        string dir = Fixtures.RunDirectory(Fixtures.TempDirectory());
        var run = await RunDirectoryReader.ReadAsync(dir, CancellationToken.None);

        Assert.Equal("run", run.Kind);
        var timeline = run.Timeline!;
        Assert.Equal(2, timeline.Sessions);
        Assert.Equal([0, 1, 2, 2, 3, 4], timeline.Points.Select(p => p.T));
        Assert.Equal(12, timeline.LatencyCounts.Sum()); // the last request histogram of each session, added up
        Assert.Equal(9, timeline.AttemptCounts.Sum());
        var totals = run.Run!;
        Assert.Equal(8, totals.Succeeded);
        Assert.Equal(2, totals.Failed);
        var error = Assert.Single(totals.Errors);
        Assert.Equal("HTTP 500 server_error", error.Kind);
        Assert.Equal(2, error.Count);
        Assert.Equal(7, totals.RateLimited); // 3 in the first session, 4 in the second
        Assert.Equal(5 + 4 + 1 - 0, totals.Sent); // each session's succeeded + failed, less cache hits
        Assert.Equal(8 * 4, totals.ResultInputTokens);
        Assert.Equal(0.5m, totals.Cost);
    }

    [Fact]
    public async Task The_last_journal_record_of_an_item_decides_its_outcome()
    {
        string dir = Fixtures.RunDirectory(Fixtures.TempDirectory(), failures500: 1);
        File.AppendAllText(Path.Combine(dir, "journal.jsonl"), Fixtures.JournalLine("r9", 200, """{"usage":{"prompt_tokens":1,"completion_tokens":1}}""") + "\n");
        var run = await RunDirectoryReader.ReadAsync(dir, CancellationToken.None);
        Assert.Equal(10, run.Run!.Succeeded);
        Assert.Equal(0, run.Run.Failed);
        Assert.Empty(run.Run.Errors);
    }

    [Fact]
    public void A_failure_without_an_HTTP_answer_is_classified_by_Sluice_s_code()
    {
        var result = BatchResult.FromError("a", new BatchResultError("request_timeout", "every attempt timed out (Authorization: Bearer sk-abcdefghijklmnop)"));
        var (kind, message) = JournalDigest.Classify(result);
        Assert.Equal("request_timeout", kind);
        Assert.DoesNotContain("sk-abcdefghijklmnop", message);
    }

    [Fact]
    public async Task An_eval_directory_reads_metrics_skipped_evaluators_and_the_worst_cases_lowest_first()
    {
        string dir = Fixtures.EvalDirectory(Fixtures.TempDirectory());
        var eval = await RunDirectoryReader.ReadAsync(dir, CancellationToken.None);

        Assert.Equal("eval", eval.Kind);
        var data = eval.Eval!;
        Assert.Equal(2, data.Metrics.Count);
        Assert.Equal("faithfulness", Assert.Single(data.Skipped).Key);
        Assert.Equal(6, data.Scores["token_f1"].Count);
        Assert.Equal(5, data.Scores["relevancy"].Count); // the invalid result is not a score
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8], data.Worst["token_f1"].Select(c => Math.Round(c.Score, 3)));
        Assert.Equal(1, data.Worst["token_f1"][0].Line);
        Assert.Equal("q1", data.Worst["token_f1"][0].CaseId);
        Assert.Null(eval.Run);
    }

    [Theory]
    [InlineData("timeline.jsonl", 3, "{\"type\":\"sample\",\"session\":1,\"t\":0}\n{\"type\":\"sample\",\"session\":1,\"t\":1}\nnot json\n{\"type\":\"sample\",\"session\":1,\"t\":2}\n")]
    [InlineData("timeline.jsonl", 2, "{\"type\":\"session\",\"session\":1}\n{\"type\":\"weather\",\"session\":1}\n")]
    [InlineData("timeline.jsonl", 1, "{\"type\":\"sample\",\"t\":0}\n")]
    [InlineData("summary.json", 3, "{\n  \"kind\": \"run\",\n  \"counts\": {,\n}")]
    public async Task A_corrupt_file_is_an_error_naming_the_file_and_the_line(string file, int line, string text)
    {
        string dir = Fixtures.RunDirectory(Fixtures.TempDirectory());
        File.WriteAllText(Path.Combine(dir, file), text);
        var error = await Assert.ThrowsAsync<ReportInputException>(() => RunDirectoryReader.ReadAsync(dir, CancellationToken.None));
        Assert.Equal(Path.Combine(dir, file), error.Path);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"{Path.Combine(dir, file)}:{line}: ", error.Message);
    }

    [Fact]
    public async Task A_corrupt_results_line_of_an_eval_names_results_jsonl_and_the_line()
    {
        string dir = Fixtures.EvalDirectory(Fixtures.TempDirectory());
        var lines = File.ReadAllLines(Path.Combine(dir, "results.jsonl")).ToList();
        lines[2] = "{\"evaluator\": \"token_f1\", \"score\": 0.5}"; // no query
        File.WriteAllLines(Path.Combine(dir, "results.jsonl"), lines);
        var error = await Assert.ThrowsAsync<ReportInputException>(() => RunDirectoryReader.ReadAsync(dir, CancellationToken.None));
        Assert.Equal(3, error.Line);
        Assert.Contains("results.jsonl:3: field \"query\"", error.Message);
    }

    [Fact]
    public async Task A_missing_directory_or_one_that_is_not_a_run_directory_is_an_error_naming_it()
    {
        string parent = Fixtures.TempDirectory();
        var missing = await Assert.ThrowsAsync<ReportInputException>(() => RunDirectoryReader.ReadAsync(Path.Combine(parent, "nope"), CancellationToken.None));
        Assert.Contains("no such directory", missing.Message);
        var empty = await Assert.ThrowsAsync<ReportInputException>(() => RunDirectoryReader.ReadAsync(parent, CancellationToken.None));
        Assert.Contains("not a run directory", empty.Message);
    }

    [Fact]
    public async Task The_output_file_of_a_run_stands_for_its_run_directory()
    {
        string parent = Fixtures.TempDirectory();
        Fixtures.RunDirectory(parent);
        File.WriteAllText(Path.Combine(parent, "results.jsonl"), "");
        var run = await RunDirectoryReader.ReadAsync(Path.Combine(parent, "results.jsonl"), CancellationToken.None);
        Assert.Equal(Path.Combine(parent, "results.jsonl.sluice"), run.Directory);
    }
}
