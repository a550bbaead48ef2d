using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice bench</c> as a real process against the simulator.</summary>
public sealed class BenchTests
{
    private static string[] Bench(SimulatorHost simulator, params string[] more) =>
        ["bench", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", Runs.KeyVariable, .. more];

    private static string Key => Runs.Key[Runs.KeyVariable];

    [Fact]
    public async Task Against_a_capacity_of_32_it_recommends_a_concurrency_near_32_and_counts_exactly_what_it_sent()
    {
        // Above 32 in flight the simulator's latency grows in proportion: throughput flattens at 32.
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, Capacity = 32 });
        string dir = Files.TempDirectory();
        var run = await Cli.RunAsync(dir, Runs.Key, Bench(simulator));
        Assert.True(run.ExitCode == 0, Runs.Explain(run));

        var recommended = Regex.Match(run.Stdout, @"recommended: sluice run --concurrency (\d+)");
        Assert.True(recommended.Success, Runs.Explain(run));
        int concurrency = int.Parse(recommended.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(concurrency, 24, 64);
        Assert.Matches(@"why: concurrency \d+ gave .*(throughput stops rising|429|failed)", run.Stdout);

        // Said up front (before any step), and the total printed at the end is what the provider received.
        var announced = Regex.Match(run.Stderr, @"will send at most ([\d,]+) requests \(at most about [\d,]+ tokens");
        Assert.True(announced.Success, Runs.Explain(run));
        Assert.True(run.Stderr.IndexOf("will send at most", StringComparison.Ordinal) < run.Stderr.IndexOf("concurrency 1:", StringComparison.Ordinal));
        var sent = Regex.Match(run.Stdout, @"sent ([\d,]+) requests");
        Assert.True(sent.Success, Runs.Explain(run));
        long printed = long.Parse(sent.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal(stats.Requests, printed);
        Assert.Equal(stats.Requests, stats.ByEndpoint["chat"]["200"]);
        Assert.True(printed <= long.Parse(announced.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.DoesNotContain(Key, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Against_a_requests_per_minute_limit_it_recommends_the_concurrency_that_reaches_it()
    {
        // 1,200 requests a minute (20 a second, a one-second bucket) at 100 ms: concurrency 2 reaches the limit; beyond
        // it the rate budget (which learns the limit from the headers) makes requests wait, so latency doubles instead.
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, RequestsPerMinute = 1_200, BurstSeconds = 1 });
        var run = await Cli.RunAsync(Files.TempDirectory(), Runs.Key, Bench(simulator));
        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        var recommended = Regex.Match(run.Stdout, @"recommended: sluice run --concurrency (\d+)");
        Assert.True(recommended.Success, Runs.Explain(run));
        Assert.InRange(int.Parse(recommended.Groups[1].Value, CultureInfo.InvariantCulture), 2, 4);
        Assert.Contains("stopped early", run.Stdout);
        var sent = Regex.Match(run.Stdout, @"sent ([\d,]+) requests");
        Assert.Equal((await simulator.GetStatsWhenIdleAsync()).Requests, long.Parse(sent.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_embeddings_endpoint_sweeps_the_group_size_too_and_writes_json()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 50, Capacity = 16, EmbeddingDimensions = 32 });
        string dir = Files.TempDirectory();
        var run = await Cli.RunAsync(dir, Runs.Key, Bench(simulator, "--model", "text-embedding-3-small", "--group-sizes", "1,4,16,64", "--json"));
        Assert.True(run.ExitCode == 0, Runs.Explain(run));

        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("embeddings", root.GetProperty("endpoint").GetString());
        int concurrency = root.GetProperty("concurrency").GetProperty("value").GetInt32();
        Assert.InRange(concurrency, 12, 32);
        var groupSteps = root.GetProperty("group_size_steps").EnumerateArray().ToList();
        Assert.True(groupSteps.Count >= 2, run.Stdout);
        Assert.Equal(new[] { 1, 4, 16, 64 }[..groupSteps.Count], groupSteps.Select(s => s.GetProperty("group_size").GetInt32()));
        Assert.All(groupSteps, s => Assert.Equal(concurrency, s.GetProperty("concurrency").GetInt32()));
        Assert.All(groupSteps, s => Assert.True(s.GetProperty("inputs_per_second").GetDouble() > 0));
        int groupSize = root.GetProperty("group_size").GetProperty("value").GetInt32();
        Assert.Contains(groupSize, groupSteps.Select(s => s.GetProperty("group_size").GetInt32()));

        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal(stats.Requests, root.GetProperty("requests_sent").GetInt64());
        Assert.Equal(stats.Requests, stats.ByEndpoint["embeddings"]["200"]);
        Assert.DoesNotContain(Key, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task An_endpoint_that_is_not_loopback_is_refused_without_yes_and_nothing_is_sent()
    {
        // 192.0.2.1 is TEST-NET-1: never routed, so a request to it would hang until the connect timeout. The refusal
        // comes before any request: no plan is announced, no step is measured, nothing is printed on stdout.
        string dir = Files.TempDirectory();
        var refused = await Cli.RunAsync(dir, Runs.Key, "bench", "--base-url", "http://192.0.2.1:8080/v1", "--api-key-env", Runs.KeyVariable);
        Assert.True(refused.ExitCode == 2, Runs.Explain(refused));
        Assert.Contains("--base-url: http://192.0.2.1:8080/v1 is not on this machine", refused.Stderr);
        Assert.Contains("up to 1,160 requests", refused.Stderr);
        Assert.Contains("Pass --yes", refused.Stderr);
        Assert.Contains("Nothing was sent", refused.Stderr);
        Assert.DoesNotContain("will send", refused.Stderr);
        Assert.DoesNotContain("concurrency 1:", refused.Stderr);
        Assert.Equal(string.Empty, refused.Stdout);
        Assert.DoesNotContain(Key, refused.Stdout + refused.Stderr);
    }

    [Fact]
    public async Task Yes_lets_a_non_loopback_endpoint_be_benchmarked()
    {
        // 0.0.0.0 is not loopback; .NET refuses to connect to it at once, so every request fails fast: the sweep ran,
        // found nothing clean and says so (exit 3).
        string dir = Files.TempDirectory();
        var run = await Cli.RunAsync(dir, Runs.Key, "bench", "--base-url", "http://0.0.0.0:9/v1", "--api-key-env", Runs.KeyVariable, "--yes", "--concurrency-levels", "1,2", "--max-requests", "100");
        Assert.True(run.ExitCode == 3, Runs.Explain(run));
        Assert.Contains("will send at most 100 requests", run.Stderr);
        Assert.Contains("concurrency 1: 50 requests", run.Stderr);
        Assert.Contains("no recommendation: no concurrency measured was clean", run.Stdout);
        Assert.Contains("(connection: 50)", run.Stdout);
        Assert.DoesNotContain(Key, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_benchmark_at_once_with_130()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 200 });
        using var bench = Cli.Start(Files.TempDirectory(), Runs.Key, Bench(simulator));
        while (simulator.GetStats().Requests < 3)
        {
            Assert.False(bench.HasExited, bench.Stderr);
            await Task.Delay(10);
        }

        bench.Interrupt();
        Assert.Equal(130, await bench.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("sluice: interrupted", bench.Stderr);
        // The shared handler (as embed, ingest and query): it says that a second Ctrl+C quits at once, and does.
        Assert.Contains("Ctrl+C again to quit at once", bench.Stderr);
        Assert.True(simulator.GetStats().Requests < 50, "the first step (50 requests at 200 ms, one at a time) was cut short");
    }

    [Fact]
    public async Task A_second_Ctrl_C_exits_130_too()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 200 });
        using var bench = Cli.Start(Files.TempDirectory(), Runs.Key, Bench(simulator));
        while (simulator.GetStats().Requests < 3)
        {
            Assert.False(bench.HasExited, bench.Stderr);
            await Task.Delay(10);
        }

        bench.Interrupt();
        bench.Interrupt();
        Assert.Equal(130, await bench.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("sluice: interrupted", bench.Stderr);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("5")]
    [InlineData("20")]
    [InlineData("49")]
    public async Task A_max_requests_below_the_first_step_exits_2_naming_the_minimum_and_sends_nothing(string maxRequests)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var run = await Cli.RunAsync(Files.TempDirectory(), Runs.Key, Bench(simulator, "--max-requests", maxRequests));
        Assert.True(run.ExitCode == 2, Runs.Explain(run));
        Assert.Contains($"--max-requests: expected at least 50, the requests of the sweep's first step (concurrency 1) alone; it was {maxRequests}", run.Stderr);
        Assert.DoesNotContain("will send", run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);

        // The minimum follows the first level: concurrency 32 sends 4 × 32 = 128.
        var high = await Cli.RunAsync(Files.TempDirectory(), Runs.Key, Bench(simulator, "--concurrency-levels", "32,64", "--max-requests", "100"));
        Assert.True(high.ExitCode == 2, Runs.Explain(high));
        Assert.Contains("--max-requests: expected at least 128", high.Stderr);
        Assert.Contains("(concurrency 32)", high.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
    }

    [Fact]
    public async Task The_embeddings_recommendation_names_only_options_that_exist()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 20, Capacity = 4, EmbeddingDimensions = 16 });
        var run = await Cli.RunAsync(Files.TempDirectory(), Runs.Key, Bench(simulator, "--model", "text-embedding-3-small", "--concurrency-levels", "1,2", "--group-sizes", "1,8", "--max-requests", "300"));
        Assert.True(run.ExitCode == 0, Runs.Explain(run));

        // sluice run has no option for texts per request: the run line carries only --concurrency.
        Assert.Matches(@"(?m)^recommended: sluice run --concurrency \d+$", run.Stdout);
        var group = Regex.Match(run.Stdout, @"recommended group size: (\d+) texts per embeddings request: .*put \1 texts in each line's body ""input"" when you write the file; sluice embed takes --batch-size \1");
        Assert.True(group.Success, Runs.Explain(run));

        // and the option it names is sluice embed's.
        var help = await Cli.RunAsync(Files.TempDirectory(), null, "embed", "--help");
        Assert.Contains("--batch-size", help.Stdout);
    }

    [Fact]
    public async Task Bad_options_name_the_option_and_send_nothing()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        var falling = await Cli.RunAsync(dir, Runs.Key, Bench(simulator, "--group-sizes", "4,2"));
        Assert.True(falling.ExitCode == 2, Runs.Explain(falling));
        Assert.Contains("--group-sizes", falling.Stderr);

        var endpoint = await Cli.RunAsync(dir, Runs.Key, Bench(simulator, "--endpoint", "completions"));
        Assert.True(endpoint.ExitCode == 2, Runs.Explain(endpoint));
        Assert.Contains("--endpoint", endpoint.Stderr);

        var noKey = await Cli.RunAsync(dir, null, "bench", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_BENCH_UNSET_KEY");
        Assert.True(noKey.ExitCode == 2, Runs.Explain(noKey));
        Assert.Contains("SLUICE_BENCH_UNSET_KEY", noKey.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
    }

    [Fact]
    public async Task Help_lists_examples_and_exit_codes()
    {
        var help = await Cli.RunAsync(Files.TempDirectory(), null, "bench", "--help");
        Assert.True(help.ExitCode == 0, Runs.Explain(help));
        Assert.Contains("Examples:", help.Stdout);
        Assert.Contains("sluice bench --base-url", help.Stdout);
        Assert.Contains("--yes", help.Stdout);
        Assert.Contains("Exit codes:", help.Stdout);
    }
}
