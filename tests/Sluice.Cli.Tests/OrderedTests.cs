using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>--ordered</c>: the output in input order whatever order the answers come in.</summary>
public sealed class OrderedTests
{
    [Fact]
    public async Task Ordered_output_under_5xx_and_hangs_is_exactly_in_input_order()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 10,
            JitterMs = 10,
            Error500Rate = 0.10,
            HangRate = 0.01,
            MaxHangMs = 5_000,
        });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 1_500);

        var run = await Cli.RunAsync(dir, Runs.Key,
            Runs.Arguments(simulator, input, "results.jsonl", "--ordered", "--timeout", "1", "--max-attempts", "10", "--concurrency", "64"));

        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        var stats = simulator.GetStats();
        Assert.True(stats.Faults.GetValueOrDefault("Error500") > 0 && stats.Faults.GetValueOrDefault("Hang") > 0, "the faults happened");
        Assert.Equal(Enumerable.Range(0, 1_500).Select(i => $"item-{i}"), Files.CustomIds(Path.Combine(dir, "results.jsonl")));
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")));
    }
}

/// <summary><c>--ordered</c> past the in-memory sort (32 MiB of output lines): sorted runs spilled to disk and merged,
/// the last record of each item winning across the runs.</summary>
public sealed class OrderedSpillTests
{
    [Fact]
    public async Task Ordered_output_larger_than_the_sort_buffer_with_retried_errors_is_in_input_order_each_item_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Error500Rate = 0.2 });
        string dir = Files.TempDirectory();
        string input = Path.Combine(dir, "embeddings.jsonl");
        const int Count = 1_000; // four 1536-dimension vectors a line: ~70 KB each, ~70 MB of output lines
        File.WriteAllLines(input, Enumerable.Range(0, Count).Select(i =>
            $$$"""{"custom_id": "doc-{{{i}}}", "method": "POST", "url": "/v1/embeddings", "body": {"model": "text-embedding-3-small", "input": ["chunk a of {{{i}}}", "chunk b of {{{i}}}", "chunk c of {{{i}}}", "chunk d of {{{i}}}"]}}"""));
        string[] arguments = Runs.Arguments(simulator, input, "results.jsonl", "--ordered", "--max-attempts", "1", "--no-fsync", "--concurrency", "16");

        var first = await Cli.RunAsync(dir, Runs.Key, arguments);

        Assert.True(first.ExitCode == 3, Runs.Explain(first));
        var failed = Files.CustomIds(Path.Combine(dir, "results.errors.jsonl"));
        Assert.InRange(failed.Count, 50, 400);
        Assert.Equal(failed.OrderBy(id => int.Parse(id[4..])), failed); // errors in input order too
        Assert.True(new FileInfo(Path.Combine(dir, "results.jsonl")).Length > 40L << 20, "the output exceeds the in-memory sort");

        simulator.UpdateOptions(o => o with { Error500Rate = 0 });
        var again = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume", "--retry-errors"]);

        Assert.True(again.ExitCode == 0, Runs.Explain(again));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"doc-{i}"), Files.CustomIds(Path.Combine(dir, "results.jsonl")));
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(dir, "results.jsonl.sluice", "sort")), "the spilled runs are removed");
    }
}
