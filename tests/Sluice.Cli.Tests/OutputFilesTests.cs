using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary>How a run's output and errors files come to be: written during a fresh run in completion order, assembled
/// from the journal otherwise, and always holding exactly what the journal holds.</summary>
public sealed class OutputFilesTests
{
    [Fact]
    public async Task A_fresh_run_writes_the_journals_records_in_journal_order_successes_and_failures_apart()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 2, Error500Rate = 0.2 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 1_500);

        var run = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "1", "--concurrency", "16"));

        Assert.True(run.ExitCode == 3, Runs.Explain(run)); // finished with failed items
        var journal = Runs.Lines(Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl"));
        Assert.Equal(1_500, journal.Count);
        AssertSameLines(journal.Where(r => r.GetProperty("outcome").GetString() == "succeeded"), Path.Combine(dir, "results.jsonl"));
        AssertSameLines(journal.Where(r => r.GetProperty("outcome").GetString() == "failed"), Path.Combine(dir, "results.errors.jsonl"));
        Assert.InRange(File.ReadLines(Path.Combine(dir, "results.errors.jsonl")).Count(), 150, 450);
        Assert.Empty(Directory.EnumerateFiles(dir, "*.partial"));
    }

    [Fact]
    public async Task An_output_file_that_cannot_be_written_during_the_run_is_assembled_from_the_journal_at_the_end()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 2 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 1_500);
        // Writing during the run goes to results.jsonl.partial: here every write to it fails (ENOSPC), as on a full disk.
        File.CreateSymbolicLink(Path.Combine(dir, "results.jsonl.partial"), "/dev/full");

        var run = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--concurrency", "16"));

        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        string output = Path.Combine(dir, "results.jsonl");
        Assert.Null(new FileInfo(output).LinkTarget);
        var ids = Files.CustomIds(output);
        Assert.Equal(1_500, ids.Count);
        Assert.Equal(1_500, ids.Distinct().Count());
        AssertSameLines(Runs.Lines(Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl")), output);
        Assert.Equal(1_500, simulator.GetStats().DistinctSucceeded);
    }

    [Fact]
    public async Task An_interrupted_fresh_run_leaves_no_output_file_and_its_resume_assembles_each_item_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 30 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 2_000);
        string[] arguments = Runs.Arguments(simulator, input, "results.jsonl", "--concurrency", "16");
        string journal = Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl");

        using (var first = Cli.Start(dir, Runs.Key, arguments))
        {
            while (Files.JournalLines(journal) < 300)
            {
                await Task.Delay(10);
            }

            first.Interrupt();
            Assert.Equal(130, await first.WaitAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Empty(Directory.EnumerateFiles(dir, "results*")); // no output file, and no partial one left behind
        long journalled = Files.JournalLines(journal);
        await simulator.ResetWhenIdleAsync();

        var resume = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume"]);

        Assert.True(resume.ExitCode == 0, Runs.Explain(resume));
        Assert.Equal(2_000 - journalled, simulator.GetStats().DistinctBodies);
        var ids = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(2_000, ids.Count);
        Assert.Equal(2_000, ids.Distinct().Count());
        AssertSameLines(Runs.Lines(journal), Path.Combine(dir, "results.jsonl"));
    }

    /// <summary>The file's lines are the records' <c>line</c> objects, in the records' order.</summary>
    private static void AssertSameLines(IEnumerable<JsonElement> records, string file)
    {
        var expected = records.Select(r => r.GetProperty("line").GetRawText()).ToList();
        var actual = File.ReadLines(file).Where(l => l.Length > 0).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }
}
