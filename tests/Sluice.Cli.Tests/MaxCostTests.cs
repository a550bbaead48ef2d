using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>--max-cost</c>: stops admitting work before the spend would pass the limit; a resume with a higher limit
/// sends only the rest.</summary>
public sealed class MaxCostTests
{
    [Fact]
    public async Task The_cost_limit_stops_admission_lists_the_unsent_items_and_a_resume_with_a_higher_limit_sends_only_them()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 300);
        // $1,000 per million tokens: a request of ~20 prompt and at most 24 completion tokens costs under $0.05.
        string prices = Runs.PricesFile(dir, """{"models": {"gpt-4o-mini": {"input_per_1m": 1000, "output_per_1m": 1000}}}""");
        const decimal Limit = 3m;

        var first = await Cli.RunAsync(dir, Runs.Key,
            Runs.Arguments(simulator, input, "results.jsonl", "--prices", prices, "--max-cost", "3", "--concurrency", "8"));

        Assert.True(first.ExitCode == 3, Runs.Explain(first));
        long sent = simulator.GetStats().Requests;
        Assert.InRange(sent, 20, 299);
        var ok = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        var errors = Runs.Lines(Path.Combine(dir, "results.errors.jsonl"));
        Assert.Equal(sent, ok.Count);
        Assert.Equal(300 - sent, errors.Count);
        Assert.All(errors, e =>
        {
            Assert.Equal(JsonValueKind.Null, e.GetProperty("response").ValueKind);
            Assert.Equal("sluice_cost_limit_reached", e.GetProperty("error").GetProperty("code").GetString());
        });
        var all = ok.Concat(errors.Select(e => e.GetProperty("custom_id").GetString()!)).ToList();
        Assert.Equal(300, all.Distinct().Count());
        Assert.Equal(300, all.Count);
        var counts = Runs.Counts(dir);
        decimal spent = counts.GetProperty("cost_usd").GetDecimal();
        Assert.True(spent > 0 && spent <= Limit, $"spent {spent}");
        Assert.Equal(300 - sent, counts.GetProperty("not_sent").GetInt64());
        Assert.Contains("--max-cost", first.Stdout + first.Stderr);

        // A resume with the same limit: the limit holds across runs, so what the first run spent counts.
        await simulator.ResetWhenIdleAsync();
        var same = await Cli.RunAsync(dir, Runs.Key,
            Runs.Arguments(simulator, input, "results.jsonl", "--prices", prices, "--max-cost", "3", "--concurrency", "8", "--resume"));
        Assert.True(same.ExitCode == 3, Runs.Explain(same));
        long sentAgain = simulator.GetStats().Requests;
        decimal spentAgain = Runs.Counts(dir).GetProperty("cost_usd").GetDecimal();
        Assert.True(spent + spentAgain <= Limit, $"spent {spent} + {spentAgain} across the two runs, past the limit {Limit}");
        Assert.Equal(300 - sent - sentAgain, Runs.Lines(Path.Combine(dir, "results.errors.jsonl")).Count);
        sent += sentAgain;

        await simulator.ResetWhenIdleAsync();
        var resumed = await Cli.RunAsync(dir, Runs.Key,
            Runs.Arguments(simulator, input, "results.jsonl", "--prices", prices, "--max-cost", "1000", "--concurrency", "8", "--resume"));

        Assert.True(resumed.ExitCode == 0, Runs.Explain(resumed));
        var stats = simulator.GetStats();
        Assert.Equal(300 - sent, stats.Requests);
        Assert.Equal(300 - sent, stats.DistinctBodies);
        var final = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(300, final.Count);
        Assert.Equal(300, final.Distinct().Count());
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")));
    }
}
