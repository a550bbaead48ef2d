using Sluice.Simulator;
using Sluice.Testing;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice run --shared-budget</c>: independent processes sending with one key keep its limit together,
/// through a real <c>redis-server</c>; without it, each assumes it is alone and together they exceed the limit.</summary>
public sealed class SharedBudgetTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Rpm = 1_200; // 20 a second, with a one-second burst at the provider
    private const int Items = 250;

    [Fact]
    public async Task Two_processes_sharing_a_budget_through_Redis_keep_the_keys_limit_together()
    {
        var (sharedCodes, shared) = await RunTwoAsync("--shared-budget", $"redis://127.0.0.1:{redis.Port}");
        Assert.All(sharedCodes, run => Assert.True(run.ExitCode == 0, Runs.Explain(run)));
        long[] perSecond = shared.PerSecond[..^1];
        Assert.True(shared.RateLimited <= Items * 2 * 0.02, $"{shared.RateLimited} of {Items * 2} requests drew a 429 with the shared budget. Per second: {string.Join(",", perSecond)}");
        Assert.True(perSecond.Max() <= Rpm / 60 * 1.5, $"a second saw {perSecond.Max()} requests (limit {Rpm / 60}/s). Per second: {string.Join(",", perSecond)}");

        // The control: the same two processes, each keeping --rpm alone, send about twice the limit.
        var (aloneCodes, alone) = await RunTwoAsync();
        Assert.All(aloneCodes, run => Assert.True(run.ExitCode == 0, Runs.Explain(run)));
        Assert.True(alone.RateLimited > shared.RateLimited + 20, $"without sharing {alone.RateLimited} 429s, with sharing {shared.RateLimited}");
    }

    [Fact]
    public async Task An_unreachable_or_malformed_Redis_address_is_a_configuration_error_and_nothing_is_sent()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 1 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 5);
        int closedPort = FreePort();

        var unreachable = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--shared-budget", $"redis://127.0.0.1:{closedPort}"));
        Assert.True(unreachable.ExitCode == 2, Runs.Explain(unreachable));
        Assert.Contains($"--shared-budget: cannot reach the Redis server at redis://127.0.0.1:{closedPort}", unreachable.Stderr);

        var secret = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--shared-budget", "redis://:hunter2@127.0.0.1:6379"));
        Assert.True(secret.ExitCode == 2, Runs.Explain(secret));
        Assert.Contains("must not carry a password: set SLUICE_REDIS_PASSWORD", secret.Stderr);
        Assert.DoesNotContain("hunter2", secret.Stderr + secret.Stdout);
        Assert.Equal(0, simulator.GetStats().Requests);
    }

    private static async Task<((int ExitCode, string Stdout, string Stderr)[] Runs, StatsSnapshot Stats)> RunTwoAsync(params string[] more)
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, RequestsPerMinute = Rpm, BurstSeconds = 1 });
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(p =>
        {
            string dir = Files.TempDirectory();
            string input = Files.ChatRequests(dir, Items, extraBody: i => $", \"user\": \"process {p}\"");
            return Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", ["--rpm", Rpm.ToString(), "--concurrency", "16", "--max-attempts", "20", .. more]));
        }));
        return (runs, await simulator.GetStatsWhenIdleAsync(TimeSpan.FromSeconds(10)));
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
