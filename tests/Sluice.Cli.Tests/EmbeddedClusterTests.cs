using Sluice.BatchFiles;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice run --cluster embedded</c>: the cluster's path (coordinator, shard leases, per-shard journals,
/// commits) on one silo inside the command's process, as a real child process against the simulator.</summary>
public sealed class EmbeddedClusterTests
{
    [Fact]
    public async Task An_embedded_cluster_run_killed_with_SIGKILL_and_run_again_sends_nothing_journalled_and_lists_each_item_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 20, Seed = 21 });
        string directory = Files.TempDirectory();
        string input = Files.ChatRequests(directory, 3_000);
        string[] arguments = Runs.Arguments(simulator, input, "results.jsonl", "--cluster", "embedded", "--concurrency", "32");
        string runDirectory = Path.Combine(directory, "results.jsonl.sluice");

        using (var first = Cli.Start(directory, Runs.Key, arguments))
        {
            while (JournalLines(runDirectory) < 600)
            {
                Assert.False(first.HasExited, $"sluice exited before the kill:\n{first.Stdout}\n{first.Stderr}");
                await Task.Delay(10);
            }

            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(File.Exists(Path.Combine(directory, "results.jsonl")), "no output file after a kill");
        var journalled = new HashSet<string>(StringComparer.Ordinal);
        foreach (string journal in Journals(runDirectory))
        {
            await foreach (var record in RunJournalReader.ReadAsync(journal))
            {
                journalled.Add(record.CustomId);
            }
        }

        Assert.InRange(journalled.Count, 600, 2_999);
        await simulator.ResetWhenIdleAsync();

        var again = await Cli.RunAsync(directory, Runs.Key, arguments);

        Assert.True(again.ExitCode == 0, Runs.Explain(again));
        Assert.Contains("sluice: submitted to an embedded cluster (one silo in this process)", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("sluice: finished on the embedded cluster: ", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(Files.CustomIds(input), Files.CustomIds(Path.Combine(directory, "results.jsonl"))); // each once, in input order
        Assert.Empty(Files.CustomIds(Path.Combine(directory, "results.errors.jsonl")));
        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal(3_000 - journalled.Count, stats.DistinctBodies); // only what no shard's journal held was sent
        Assert.Equal(0, stats.SucceededMoreThanOnce);
        foreach (string file in Directory.GetFiles(runDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], File.ReadAllText(file));
        }
    }

    /// <summary>Every shard epoch's journal in the run directory.</summary>
    private static IEnumerable<string> Journals(string runDirectory) =>
        Directory.Exists(Path.Combine(runDirectory, "shards"))
            ? Directory.GetFiles(Path.Combine(runDirectory, "shards"), "journal.jsonl", SearchOption.AllDirectories)
            : [];

    private static int JournalLines(string runDirectory) => Journals(runDirectory).Sum(Files.JournalLines);
}
