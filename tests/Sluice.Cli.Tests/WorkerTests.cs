using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Sluice.Cluster.Hosting;
using Sluice.Cluster.Runs;
using Sluice.Simulator;
using Sluice.Testing;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice worker</c> as real processes, clustered through a real <c>redis-server</c> on 127.0.0.1.</summary>
public sealed class WorkerTests
{
    [Fact]
    public async Task Two_worker_processes_clustered_through_redis_run_a_sharded_run_with_each_item_once_and_stop_on_ctrl_c()
    {
        string directory = Files.TempDirectory();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, Seed = 14 });
        using var redis = await RedisServer.StartAsync();
        string cluster = $"redis://127.0.0.1:{redis.Port}";
        var workers = new List<Cli>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                workers.Add(Cli.Start(directory, null, "worker", "--cluster", cluster, "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString(), "--advertise", "127.0.0.1"));
            }

            foreach (var worker in workers)
            {
                await WaitForAsync(() => worker.Stdout.Contains("joined the cluster", StringComparison.Ordinal), worker, "joining the cluster");
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
            builder.UseOrleansClient(client => client.UseSluiceCluster(SluiceClusterAddress.Parse(cluster)));
            using var host = builder.Build();
            await host.StartAsync();
            var grains = host.Services.GetService(typeof(IClusterClient)) as IClusterClient ?? throw new InvalidOperationException("no cluster client");
            string input = Files.ChatRequests(directory, 2_000);
            var options = new ShardedRunOptions
            {
                InputPath = input,
                OutputPath = Path.Combine(directory, "results.jsonl"),
                BaseUrl = simulator.OpenAIEndpoint.ToString(),
                ShardLines = 200,
                MaxConcurrency = 8,
                LeaseDuration = TimeSpan.FromSeconds(10),
            };

            await ShardedRun.SubmitAsync(grains, options);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var status = await ShardedRun.WaitAsync(grains, options.OutputPath, TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token);
            await host.StopAsync();

            Assert.Equal(2_000, status.OutputLines);
            Assert.Equal(0, status.ErrorLines);
            Assert.Equal(Files.CustomIds(input), Files.CustomIds(options.OutputPath)); // each once, in input order
            var stats = await simulator.GetStatsWhenIdleAsync();
            Assert.Equal(2_000, stats.DistinctSucceeded);
            Assert.Equal(0, stats.SucceededMoreThanOnce);
            using var table = JsonDocument.Parse(File.ReadAllText(options.OutputPath + ".sluice/shards.json"));
            var committers = table.RootElement.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("committed_by").GetString()).Distinct().ToList();
            Assert.Equal(2, committers.Count); // both processes ran shards

            foreach (var worker in workers)
            {
                worker.Interrupt();
            }

            foreach (var worker in workers)
            {
                Assert.Equal(0, await worker.WaitAsync(TimeSpan.FromMinutes(1)));
                Assert.Contains("sluice: worker stopped", worker.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            KillAll(workers);
        }
    }

    [Fact]
    public async Task Sluice_run_cluster_submits_to_two_worker_processes_which_keep_one_rate_limit_together()
    {
        // The simulator allows 3,000 a minute with a one-second burst. Each worker alone would send up to --rpm; the
        // cluster's budget grain divides it between them, so together they stay under it.
        string directory = Files.TempDirectory();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, RequestsPerMinute = 3_000, BurstSeconds = 1 });
        using var redis = await RedisServer.StartAsync();
        string cluster = $"redis://127.0.0.1:{redis.Port}";
        var workers = new List<Cli>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                workers.Add(Cli.Start(directory, Runs.Key, "worker", "--cluster", cluster, "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString(), "--advertise", "127.0.0.1"));
            }

            foreach (var worker in workers)
            {
                await WaitForAsync(() => worker.Stdout.Contains("joined the cluster", StringComparison.Ordinal), worker, "joining the cluster");
            }

            string input = Files.ChatRequests(directory, 1_000);
            var run = await Cli.RunAsync(directory, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--cluster", cluster, "--rpm", "3000", "--concurrency", "16"));

            Assert.True(run.ExitCode == 0, Runs.Explain(run));
            Assert.Contains("sluice: finished on the cluster: 1,000/1,000 done (100.0%)", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("sluice: 1,000 succeeded, 0 failed; output ", run.Stdout, StringComparison.Ordinal);
            Assert.Equal(Files.CustomIds(input), Files.CustomIds(Path.Combine(directory, "results.jsonl"))); // each once, in input order
            var stats = await simulator.GetStatsWhenIdleAsync();
            Assert.Equal(1_000, stats.DistinctSucceeded);
            Assert.True(stats.RateLimited <= 20, $"{stats.RateLimited} requests drew a 429: the workers did not share --rpm. Per second: {string.Join(",", stats.PerSecond)}");
            using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.jsonl.sluice", "shards.json")));
            Assert.Equal(2, table.RootElement.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("committed_by").GetString()).Distinct().Count());
            Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], run.Stdout + run.Stderr + string.Concat(workers.Select(w => w.Stdout + w.Stderr)));

            // The run directory has what a local run's has for the report: summary.json with the cluster's item
            // counts, a timeline sampled while the command followed the run; the report reads the final files.
            string runDirectory = Path.Combine(directory, "results.jsonl.sluice");
            using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDirectory, "summary.json"))))
            {
                var counts = summary.RootElement.GetProperty("counts");
                Assert.Equal("succeeded", summary.RootElement.GetProperty("outcome").GetString());
                Assert.Equal(1_000, counts.GetProperty("total").GetInt64());
                Assert.Equal(1_000, counts.GetProperty("done").GetInt64());
                Assert.Equal(1_000, counts.GetProperty("succeeded").GetInt64());
            }

            var report = await Cli.RunAsync(directory, Runs.Key, "report", "results.jsonl");
            Assert.True(report.ExitCode == 0, Runs.Explain(report));
            var data = ReportDataBlock.Of(File.ReadAllText(Path.Combine(runDirectory, "report.html"))).GetProperty("runs")[0];
            Assert.Equal(1_000, data.GetProperty("run").GetProperty("succeeded").GetInt64());
            Assert.Equal(0, data.GetProperty("run").GetProperty("failed").GetInt64());
            Assert.True(data.GetProperty("timeline").GetProperty("samples").GetArrayLength() >= 2, "a sample at the start and one at the end");
            // The workers' request latencies, committed with their shards, reach the report as a local run's do.
            Assert.Equal(1_000, data.GetProperty("timeline").GetProperty("latency").GetProperty("counts").EnumerateArray().Sum(c => c.GetInt64()));
            Assert.Contains(data.GetProperty("headlines").EnumerateArray(), h => h.GetProperty("name").GetString() == "request latency p50 (at most)" && h.GetProperty("value").ValueKind == JsonValueKind.Number);
            foreach (string file in Directory.GetFiles(runDirectory))
            {
                Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], File.ReadAllText(file));
            }

            var refused = await Cli.RunAsync(directory, Runs.Key, Runs.Arguments(simulator, input, "other.jsonl", "--cluster", cluster, "--shared-budget", cluster));
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("--shared-budget does not go with --cluster", refused.Stderr, StringComparison.Ordinal);

            await OptionsOfALocalRunWorkOnTheClusterAsync(directory, simulator, cluster);
        }
        finally
        {
            KillAll(workers);
        }
    }

    /// <summary>--skip-invalid, --max-cost with --prices, --cache and --resume --retry-errors with --cluster, as they
    /// work on a local run: the invalid line listed once, the spend capped, a resume with a higher limit sending exactly
    /// what was not sent, and a run of the same requests answered from the cache the workers share.</summary>
    private static async Task OptionsOfALocalRunWorkOnTheClusterAsync(string directory, SimulatorHost simulator, string cluster)
    {
        string input = Files.ChatRequests(directory, 200, "second.jsonl", _ => ", \"temperature\": 0");
        var lines = File.ReadAllLines(input);
        lines[4] = "{\"custom_id\": \"item-4\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\"}"; // no body
        File.WriteAllLines(input, lines);
        // $1 an output token: a request reserves $24 (its max_tokens) and costs $8 to $24.
        File.WriteAllText(Path.Combine(directory, "prices.json"), "{\"models\": {\"gpt-4o-mini\": {\"input_per_1m\": 0, \"output_per_1m\": 1000000}}}");
        string[] options = ["--cluster", cluster, "--skip-invalid", "--cache", "cache", "--prices", "prices.json", "--concurrency", "4"];
        var valid = Files.CustomIds(input).Where(id => id != "item-4").ToList();
        await simulator.ResetWhenIdleAsync();

        var capped = await Cli.RunAsync(directory, Runs.Key, Runs.Arguments(simulator, input, "second-out.jsonl", [.. options, "--max-cost", "1200"]));
        Assert.True(capped.ExitCode == 3, Runs.Explain(capped));
        Assert.Contains("sluice: --max-cost 1200 reached: ", capped.Stdout, StringComparison.Ordinal);
        var sent = Files.CustomIds(Path.Combine(directory, "second-out.jsonl"));
        var errors = Files.CustomIds(Path.Combine(directory, "second-out.errors.jsonl"));
        Assert.InRange(sent.Count, 50, 150); // $1,200 at $8 to $24 a request
        Assert.Single(errors, id => id == "item-4");
        Assert.Equal(valid.Order(), sent.Concat(errors.Where(id => id != "item-4")).Order()); // the rest listed as not sent
        Assert.Equal(sent.Count, (await simulator.GetStatsWhenIdleAsync()).Requests);

        var resumed = await Cli.RunAsync(directory, Runs.Key, Runs.Arguments(simulator, input, "second-out.jsonl", [.. options, "--max-cost", "100000", "--resume", "--retry-errors"]));
        Assert.True(resumed.ExitCode == 3, Runs.Explain(resumed)); // the invalid line is still listed
        Assert.Equal(valid, Files.CustomIds(Path.Combine(directory, "second-out.jsonl")));
        Assert.Equal(["item-4"], Files.CustomIds(Path.Combine(directory, "second-out.errors.jsonl")));
        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal(valid.Count, stats.Requests); // what the limit held back, once, and nothing again
        Assert.Equal(valid.Count, stats.DistinctSucceeded);

        var cached = await Cli.RunAsync(directory, Runs.Key, Runs.Arguments(simulator, input, "third-out.jsonl", options));
        Assert.True(cached.ExitCode == 3, Runs.Explain(cached));
        Assert.Equal(valid, Files.CustomIds(Path.Combine(directory, "third-out.jsonl")));
        Assert.Equal(valid.Count, (await simulator.GetStatsWhenIdleAsync()).Requests); // every answer from the workers' shared cache
        foreach (string file in Directory.GetFiles(Path.Combine(directory, "cache"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Runs.Key[Runs.KeyVariable], File.ReadAllText(file));
        }
    }

    [Fact]
    public async Task A_cluster_address_that_is_not_redis_is_refused_with_exit_2()
    {
        var run = await Cli.RunAsync(Files.TempDirectory(), null, "worker", "--cluster", "http://127.0.0.1:6379");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--cluster: expected a cluster address such as redis://", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_with_cluster_estimates_without_connecting_to_any_cluster()
    {
        string directory = Files.TempDirectory();
        string input = Files.ChatRequests(directory, 20);
        var run = await Cli.RunAsync(directory, null, "run", "-i", input, "-o", "results.jsonl", "--dry-run", "--cluster", "redis://127.0.0.1:1");
        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        Assert.Contains("requests", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(directory, "results.jsonl.sluice")));
    }

    [Fact]
    public async Task Sluice_run_cluster_refuses_invalid_input_without_waiting_for_the_cluster_and_names_an_unreachable_one()
    {
        // The input is validated while the client connects: invalid lines are listed (exit 2) even though no cluster
        // answers at the address, where a submitter that connected first would have waited for it and reported that.
        string directory = Files.TempDirectory();
        string input = Files.ChatRequests(directory, 20);
        string invalid = Path.Combine(directory, "invalid.jsonl");
        File.WriteAllLines(invalid, [.. File.ReadLines(input).Take(3), "{\"custom_id\":\"no-body\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"}"]);
        string nobody = $"redis://127.0.0.1:{FreePort()}";
        var refused = await Cli.RunAsync(directory, null, "run", "-i", invalid, "-o", "results.jsonl", "--base-url", "http://127.0.0.1:1/v1", "--no-api-key", "--cluster", nobody);
        Assert.True(refused.ExitCode == 2, Runs.Explain(refused));
        Assert.Contains("line 4", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", refused.Stderr, StringComparison.Ordinal);

        // A valid input and no cluster: the connection's failure is what the command reports.
        var unreachable = await Cli.RunAsync(directory, null, "run", "-i", input, "-o", "results.jsonl", "--base-url", "http://127.0.0.1:1/v1", "--no-api-key", "--cluster", nobody);
        Assert.True(unreachable.ExitCode == 2, Runs.Explain(unreachable));
        Assert.Contains($"--cluster: cannot reach a Sluice cluster at {nobody}", unreachable.Stderr, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, Cli process, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"sluice worker did not finish {what}.\nstdout:\n{process.Stdout}\nstderr:\n{process.Stderr}");
            }

            await Task.Delay(50);
        }
    }

    private static void KillAll(List<Cli> workers)
    {
        foreach (var worker in workers)
        {
            if (!worker.HasExited)
            {
                worker.Kill();
            }

            worker.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
