using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>--cache DIR</c>: identical deterministic requests are answered from disk; errors are never cached.</summary>
public sealed class CacheTests
{
    [Fact]
    public async Task A_second_run_answers_every_deterministic_line_from_the_cache_and_sends_the_others()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 2 });
        string dir = Files.TempDirectory();
        // 0 mod 3: temperature 0; 1 mod 3: a seed; 2 mod 3: neither (and temperature 0.7 on some): not deterministic.
        string input = Files.ChatRequests(dir, 240, extraBody: i => (i % 3, i % 2) switch
        {
            (0, _) => ", \"temperature\": 0",
            (1, _) => ", \"seed\": 7",
            (2, 0) => ", \"temperature\": 0.7",
            _ => string.Empty,
        });
        File.AppendAllLines(input, ["""{"custom_id": "bad", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [], "temperature": 0}}"""]);
        const int Deterministic = 160, Other = 80;
        string cache = Path.Combine(dir, "cache");

        var first = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "first.jsonl", "--cache", cache));

        Assert.True(first.ExitCode == 3, Runs.Explain(first)); // the 400
        Assert.Equal(241, simulator.GetStats().Requests);
        Assert.Equal(0, Runs.Counts(dir, "first.jsonl").GetProperty("cache_hits").GetInt64());
        Assert.Equal(Deterministic, Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Count()); // the 400 is not stored

        await simulator.ResetWhenIdleAsync();
        var second = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "second.jsonl", "--cache", cache));

        Assert.True(second.ExitCode == 3, Runs.Explain(second));
        var stats = simulator.GetStats();
        Assert.Equal(Other + 1, stats.Requests); // the non-deterministic lines and the 400 again; no deterministic line
        Assert.Equal(Deterministic, Runs.Counts(dir, "second.jsonl").GetProperty("cache_hits").GetInt64());
        var firstBodies = Bodies(Path.Combine(dir, "first.jsonl"));
        var secondBodies = Bodies(Path.Combine(dir, "second.jsonl"));
        Assert.Equal(240, secondBodies.Count);
        for (int i = 0; i < 240; i += 3)
        {
            Assert.Equal(firstBodies[$"item-{i}"], secondBodies[$"item-{i}"]); // temperature 0: the stored answer
            Assert.Equal(firstBodies[$"item-{i + 1}"], secondBodies[$"item-{i + 1}"]); // a seed: the stored answer
        }

        var failed = Runs.Lines(Path.Combine(dir, "second.errors.jsonl"));
        Assert.Equal("bad", Assert.Single(failed).GetProperty("custom_id").GetString());
        Assert.Equal(400, failed[0].GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.Contains("cache hits 160", second.Stdout + second.Stderr);
    }

    private static Dictionary<string, string> Bodies(string path) =>
        Runs.Lines(path).ToDictionary(
            l => l.GetProperty("custom_id").GetString()!,
            l => l.GetProperty("response").GetProperty("body").GetRawText());
}
