using System.Text;

namespace Sluice.BatchFiles.Tests;

public sealed class RunJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static BatchResult Ok(string id) => BatchResult.FromResponse(id, new BatchResponse(200, "req_" + id, Encoding.UTF8.GetBytes($$"""{"answer":"{{id}}"}""")));

    private static BatchResult Failed(string id) => BatchResult.FromError(id, new BatchResultError(BatchErrorCodes.RequestTimeout, "Every attempt timed out."));

    private async Task<string> WriteJournalAsync(params BatchResult[] results)
    {
        string path = RunDirectory.ForOutput(_dir.File("out.jsonl")).JournalPath;
        await using var journal = RunJournal.Open(path);
        for (int i = 0; i < results.Length; i++)
        {
            await journal.AppendAsync(results[i], inputLine: i + 1);
        }

        return path;
    }

    [Fact]
    public async Task Reads_back_every_record_with_its_output_line()
    {
        var results = new[] { Ok("a"), Failed("b"), Ok("c") };
        string path = await WriteJournalAsync(results);
        var records = await BatchInputReaderTests.ToListAsync(RunJournalReader.ReadAsync(path));
        Assert.Equal(["a", "b", "c"], records.Select(r => r.CustomId));
        Assert.Equal([JournalOutcome.Succeeded, JournalOutcome.Failed, JournalOutcome.Succeeded], records.Select(r => r.Outcome));
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.InputLine));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(results[i].ToJsonLine(), records[i].OutputLine.ToArray());
            Assert.Equal(results[i].Id, records[i].ToResult().Id);
        }
    }

    [Fact]
    public async Task Concurrent_appends_all_land_once()
    {
        string path = RunDirectory.ForOutput(_dir.File("out.jsonl")).JournalPath;
        await using (var journal = RunJournal.Open(path, new RunJournalOptions { FlushToDisk = false }))
        {
            await Task.WhenAll(Enumerable.Range(1, 500).Select(i => journal.AppendAsync(Ok("id" + i), i).AsTask()));
        }

        var completed = await RunJournalReader.ReadCompletedAsync(path);
        Assert.Equal(500, completed.Count);
        Assert.All(Enumerable.Range(1, 500), i => Assert.True(completed.Contains("id" + i)));
    }

    [Fact]
    public async Task A_torn_last_record_is_dropped_at_every_byte_offset()
    {
        string path = await WriteJournalAsync(Ok("a"), Failed("b"), Ok("c"));
        byte[] whole = File.ReadAllBytes(path);
        int lastStart = Array.LastIndexOf(whole, (byte)'\n', whole.Length - 2) + 1;
        string torn = _dir.File("torn.jsonl");
        for (int cut = lastStart; cut < whole.Length; cut++)
        {
            File.WriteAllBytes(torn, whole[..cut]);
            var completed = await RunJournalReader.ReadCompletedAsync(torn);
            Assert.Equal(2, completed.Count);
            Assert.True(completed.Contains("a") && completed.Contains("b"));
            Assert.False(completed.Contains("c"), $"cut at {cut}");
        }

        File.WriteAllBytes(torn, whole);
        Assert.True((await RunJournalReader.ReadCompletedAsync(torn)).Contains("c"));
    }

    [Fact]
    public async Task Appending_after_a_torn_record_drops_the_fragment_first()
    {
        string path = await WriteJournalAsync(Ok("a"), Ok("b"));
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length - 10)]);
        await using (var journal = RunJournal.Open(path))
        {
            await journal.AppendAsync(Ok("b"), 2);
            await journal.AppendAsync(Ok("c"), 3);
        }

        var records = await BatchInputReaderTests.ToListAsync(RunJournalReader.ReadAsync(path));
        Assert.Equal(["a", "b", "c"], records.Select(r => r.CustomId));
    }

    [Fact]
    public async Task A_malformed_record_before_the_last_names_journal_and_line()
    {
        string path = await WriteJournalAsync(Ok("a"), Ok("b"), Ok("c"));
        var lines = File.ReadAllLines(path);
        lines[1] = lines[1][..20];
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        var exception = await Assert.ThrowsAsync<BatchFileFormatException>(() => RunJournalReader.ReadCompletedAsync(path));
        Assert.Equal(2, exception.LineNumber);
        Assert.StartsWith(path + ", line 2:", exception.Message);
    }

    [Fact]
    public async Task Retry_errors_treats_failed_items_as_not_done_until_a_later_success()
    {
        string path = await WriteJournalAsync(Ok("a"), Failed("b"), Failed("c"), Ok("c"));
        var all = await RunJournalReader.ReadCompletedAsync(path);
        Assert.True(all.Contains("b"));
        Assert.Equal(3, all.Count);

        var retry = await RunJournalReader.ReadCompletedAsync(path, new JournalReadOptions { RetryErrors = true });
        Assert.False(retry.Contains("b"));
        Assert.True(retry.Contains("c"));
        Assert.Equal(2, retry.Count);
        Assert.Equal(1, retry.FailedCount);
    }

    [Fact]
    public async Task A_missing_journal_means_nothing_is_done()
    {
        var completed = await RunJournalReader.ReadCompletedAsync(_dir.File("none.jsonl"));
        Assert.Equal(0, completed.Count);
    }

    [Fact]
    public void The_run_directory_sits_beside_the_output()
    {
        var run = RunDirectory.ForOutput(_dir.File("results.jsonl"));
        Assert.Equal(_dir.File("results.jsonl.sluice"), run.Path);
        Assert.Equal(Path.Combine(run.Path, "journal.jsonl"), run.JournalPath);
        Assert.Equal(Path.Combine(run.Path, "manifest.json"), run.ManifestPath);
        Assert.Equal(_dir.File("results.errors.jsonl"), run.DefaultErrorsPath);
        Assert.Equal(_dir.File("out.txt.errors.jsonl"), RunDirectory.ForOutput(_dir.File("out.txt")).DefaultErrorsPath);
    }
}
