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
        await ShardPlan.ExtractAsync(input, shards[1].Offset, shards[1].Length, second, CancellationToken.None);
        Assert.Equal(lines[3] + "\n   \n" + lines[4] + "\n" + lines[5] + "\n", await File.ReadAllTextAsync(second));
        Assert.Empty(Directory.GetFiles(_directory, "*.partial"));
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
