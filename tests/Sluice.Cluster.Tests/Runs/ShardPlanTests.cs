using System.Text;
using Sluice.BatchFiles;
using Sluice.Cluster.Runs;

namespace Sluice.Cluster.Tests.Runs;

public sealed class ShardPlanTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-plan-").FullName;

    [Fact]
    public async Task Shards_cover_the_file_in_order_by_non_blank_lines_and_extract_by_seeking()
    {
        // A BOM, CRLF, blank lines (counted as lines, not as items) and a last line without a line end.
        var lines = Enumerable.Range(1, 7).Select(i => $"{{\"custom_id\":\"r{i}\"}}").ToList();
        string text = "\uFEFF" + lines[0] + "\r\n" + lines[1] + "\n\n" + lines[2] + "\n" + lines[3] + "\n   \n" + lines[4] + "\n" + lines[5] + "\n" + lines[6];
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, text, new UTF8Encoding(false));

        var shards = await ShardPlan.SplitAsync(input, 3);

        Assert.Equal([3, 3, 1], shards.Select(s => s.Lines));
        Assert.Equal([1L, 5L, 9L], shards.Select(s => s.FirstLine));
        Assert.Equal(0, shards[0].Offset);
        Assert.Equal(new FileInfo(input).Length, shards.Sum(s => s.Length));
        for (int i = 1; i < shards.Count; i++)
        {
            Assert.Equal(shards[i - 1].Offset + shards[i - 1].Length, shards[i].Offset);
        }

        string second = Path.Combine(_directory, "second.jsonl");
        await ShardPlan.ExtractAsync(input, shards[1], second, CancellationToken.None);
        Assert.Equal(lines[3] + "\n   \n" + lines[4] + "\n" + lines[5] + "\n", await File.ReadAllTextAsync(second));
        Assert.Empty(Directory.GetFiles(_directory, "*.partial"));
    }

    [Theory]
    [InlineData(3_000, 94, 40)] // a short run: shards of 3,000 / 32 lines, so its workers can balance it, then a shrinking tail
    [InlineData(1_000, 50, 24)] // shorter: shards of at least 50 lines before the tail
    [InlineData(30, 30, 1)]
    [InlineData(16_001, 500, 53)] // long enough for 32 shards of 500: the default size, then the tail
    [InlineData(40_000, 500, 101)]
    public async Task Without_a_shard_size_the_run_length_chooses_it_and_the_last_shards_shrink(int items, int linesPerShard, int count)
    {
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, items).Select(i => $"{{\"custom_id\":\"r{i}\"}}"));

        var shards = await ShardPlan.SplitAsync(input, (int?)null);

        Assert.Equal(count, shards.Count);
        Assert.Equal(linesPerShard, shards[0].Lines);
        for (int i = 1; i < shards.Count; i++)
        {
            Assert.True(shards[i].Lines <= shards[i - 1].Lines, $"shard {i} holds {shards[i].Lines} lines after {shards[i - 1].Lines}");
            Assert.Equal(shards[i - 1].Offset + shards[i - 1].Length, shards[i].Offset);
            Assert.Equal(shards[i - 1].FirstLine + shards[i - 1].Lines, shards[i].FirstLine);
        }

        Assert.InRange(shards[^1].Lines, 1, Math.Min(items, ShardedRunOptions.MinimumTailShardLines));
        Assert.Equal(items, shards.Sum(shard => shard.Lines));
        Assert.Equal(new FileInfo(input).Length, shards.Sum(shard => shard.Length));
    }

    [Fact]
    public void The_automatic_plan_keeps_its_size_then_takes_an_eighth_of_what_is_left_down_to_32_lines_and_halves_the_last_remainder()
    {
        var sizes = new List<int>();
        for (long left = 3_000; left > 0; left -= sizes[^1])
        {
            sizes.Add(ShardedRunOptions.NextAutomaticShardLines(left, 94));
        }

        Assert.Equal([.. Enumerable.Repeat(94, 24), 93, 82, 72, 63, 55, 48, 42, 37, 32, 32, 32, 32, 32, 32, 30, 30], sizes);
        Assert.Equal(30, ShardedRunOptions.NextAutomaticShardLines(60, 500)); // 30 + 30, not 32 + 28
        Assert.Equal(17, ShardedRunOptions.NextAutomaticShardLines(33, 94)); // 17 + 16, not 32 + 1
        Assert.Equal(5, ShardedRunOptions.NextAutomaticShardLines(5, 94));
        Assert.Equal(500, ShardedRunOptions.NextAutomaticShardLines(1_000_000, 500));
    }

    [Fact]
    public async Task The_tail_of_a_long_run_is_cut_again_with_its_skipped_lines_where_they_were()
    {
        // 20,000 lines: 40 shards of 500, of which the last ~4,000 lines are cut again into shrinking shards.
        const int items = 20_000;
        var skipped = new HashSet<long> { 3, 499, 501, 16_250, 18_000, 19_990 };
        var lines = Enumerable.Range(1, items).Select(i => $"{{\"custom_id\":\"r{i}\"}}").ToList();
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllLinesAsync(input, lines);

        var shards = await ShardPlan.SplitAsync(input, (int?)null, skipped);

        Assert.Equal(items - skipped.Count, shards.Sum(shard => shard.Lines));
        Assert.Equal(500, shards[0].Lines);
        Assert.True(shards[^1].Lines <= ShardedRunOptions.MinimumTailShardLines);
        Assert.Equal(skipped.Order(), shards.SelectMany(shard => shard.Skipped ?? []));
        var copied = new List<string>();
        for (int i = 0; i < shards.Count; i++)
        {
            string path = Path.Combine(_directory, $"shard-{i}.jsonl");
            await ShardPlan.ExtractAsync(input, shards[i], path, CancellationToken.None);
            var shardLines = await File.ReadAllLinesAsync(path);
            Assert.Equal(shards[i].Lines, shardLines.Length);
            copied.AddRange(shardLines);
        }

        Assert.Equal(lines.Where((_, i) => !skipped.Contains(i + 1)), copied);
    }

    [Fact]
    public async Task A_set_shard_size_is_kept_however_short_the_run()
    {
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 3_000).Select(i => $"{{\"custom_id\":\"r{i}\"}}"));

        var shards = await ShardPlan.SplitAsync(input, (int?)ShardedRunOptions.DefaultShardLines);

        Assert.Equal([500, 500, 500, 500, 500, 500], shards.Select(shard => shard.Lines));
    }

    [Fact]
    public async Task Skipped_lines_are_not_counted_and_each_shard_leaves_out_its_own()
    {
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, "{\"a\":1}\n{\"a\":2}\n\n{\"a\":4}\n{\"a\":5}\n{\"a\":6}\n{\"a\":7}");

        var shards = await ShardPlan.SplitAsync(input, 2, new HashSet<long> { 2, 5, 7 });

        Assert.Equal([2, 1], shards.Select(s => s.Lines));
        Assert.Equal([2L], shards[0].Skipped!);
        Assert.Equal([5L, 7L], shards[1].Skipped!); // the last line, skipped too, is inside the last shard
        string first = Path.Combine(_directory, "first.jsonl"), second = Path.Combine(_directory, "second.jsonl");
        await ShardPlan.ExtractAsync(input, shards[0], first, CancellationToken.None);
        await ShardPlan.ExtractAsync(input, shards[1], second, CancellationToken.None);
        Assert.Equal("{\"a\":1}\n\n{\"a\":4}\n", await File.ReadAllTextAsync(first));
        Assert.Equal("{\"a\":6}\n", await File.ReadAllTextAsync(second));
    }

    [Fact]
    public async Task An_abandoned_shard_keeps_what_its_epochs_journalled_and_lists_every_other_item_as_abandoned_in_input_order()
    {
        var files = new ShardFiles(Path.Combine(_directory, "out.jsonl"));
        var options = new ShardedRunOptions { InputPath = Path.Combine(_directory, "in.jsonl"), OutputPath = files.Run.OutputPath, BaseUrl = "http://127.0.0.1:1/v1" };
        Directory.CreateDirectory(files.ShardDirectory(0));
        string request = "{\"custom_id\":\"ID\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[]}}\n";
        await File.WriteAllTextAsync(files.ShardInput(0), request.Replace("ID", "a") + request.Replace("ID", "b") + request.Replace("ID", "c"));
        await WriteEpochAsync(files, 2, ("b", false, 2));
        await WriteEpochAsync(files, 4, ("a", true, 1));
        var table = new ShardTable(files.Run.OutputPath, options, [new ShardRange(0, 1, 1, 3)]);

        var counts = await ShardAbandonment.WriteAsync(files, table, 0, 6, lapses: 3);

        var output = RunDirectory.ForOutput(files.EpochOutput(0, 6));
        Assert.Equal(["a"], Ids(output.OutputPath));
        Assert.Equal(["b", "c"], Ids(output.DefaultErrorsPath));
        Assert.Contains(BatchErrorCodes.RequestFailed, File.ReadAllLines(output.DefaultErrorsPath)[0]);
        Assert.Contains(ShardedRunErrorCodes.ShardAbandoned, File.ReadAllLines(output.DefaultErrorsPath)[1]);
        Assert.Equal((3L, 3L, 1L, 2L), (counts.Total, counts.Done, counts.Succeeded, counts.Failed));

        static List<string> Ids(string path) =>
            [.. File.ReadLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!)];
    }

    [Fact]
    public async Task Trailing_blank_lines_make_no_empty_shard()
    {
        string input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, "{\"a\":1}\n{\"a\":2}\n\n\n");
        var shards = await ShardPlan.SplitAsync(input, 2);
        Assert.Single(shards);
        Assert.Equal(2, shards[0].Lines);
    }

    [Fact]
    public async Task A_new_epoch_is_seeded_with_every_earlier_epochs_records_once_and_a_success_is_never_replaced_by_a_failure()
    {
        var files = new ShardFiles(Path.Combine(_directory, "out.jsonl"));
        var lease = new ShardLease
        {
            Run = files.Run.OutputPath, Shard = 0, Epoch = 5, Offset = 0, Length = 1, FirstLine = 1,
            Options = new ShardedRunOptions { InputPath = "in", OutputPath = files.Run.OutputPath, BaseUrl = "http://127.0.0.1:1/v1" },
        };
        Directory.CreateDirectory(files.ShardDirectory(0));
        await File.WriteAllTextAsync(files.ShardInput(0), "{}\n");
        await WriteEpochAsync(files, 2, ("a", true, 1), ("b", false, 2));
        await WriteEpochAsync(files, 4, ("b", true, 2), ("c", true, 3), ("a", false, 1)); // seeded from 2, then its own
        Directory.CreateDirectory(files.EpochDirectory(0, 3)); // an epoch whose worker died before it journalled anything

        int seeded = await JournalSeed.SeedAsync(files, lease, TimeProvider.System, CancellationToken.None);

        Assert.Equal(3, seeded);
        var journal = RunDirectory.ForOutput(files.EpochOutput(0, 5));
        var records = new List<JournalRecord>();
        await foreach (var record in RunJournalReader.ReadAsync(journal.JournalPath))
        {
            records.Add(record);
        }

        Assert.Equal(["a", "b", "c"], records.Select(r => r.CustomId));
        Assert.All(records, r => Assert.Equal(JournalOutcome.Succeeded, r.Outcome));
        Assert.True(File.Exists(journal.ManifestPath));
    }

    private static async Task WriteEpochAsync(ShardFiles files, long epoch, params (string Id, bool Succeeded, long Line)[] items)
    {
        var directory = RunDirectory.ForOutput(files.EpochOutput(0, epoch));
        directory.Create();
        var manifest = await RunManifest.CreateAsync(files.ShardInput(0), new Dictionary<string, string?>(), TimeProvider.System);
        await manifest.WriteAsync(directory.ManifestPath);
        await using var journal = RunJournal.Open(directory.JournalPath);
        foreach (var (id, succeeded, line) in items)
        {
            var result = succeeded
                ? BatchResult.FromResponse(id, new BatchResponse(200, "req_1", "{\"ok\":true}"u8.ToArray()))
                : BatchResult.FromError(id, new BatchResultError(BatchErrorCodes.RequestFailed, "failed"));
            await journal.AppendAsync(result, line);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
