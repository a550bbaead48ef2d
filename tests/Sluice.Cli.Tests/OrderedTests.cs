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
