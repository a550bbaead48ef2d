using System.Diagnostics;
using Orleans.TestingHost;
using Sluice.AI;
using Sluice.BatchFiles;
using Sluice.Cluster.Hosting;
using Sluice.Cluster.Runs;
using Sluice.Simulator;

namespace Sluice.Bench;

/// <summary>
/// Sharded runs (issue 14): the same I/O-bound run (3,000 chat requests at 100 ms, 16 in flight per worker) on 1, 2
/// and 3 in-process silos, and as a plain local run (the <c>sluice run</c> path: <see cref="BatchFileRunner"/>, same
/// client options, ordered output) — scaling from 1 to 3 silos, and what cluster mode costs over a local run.
/// </summary>
internal static class ClusterBench
{
    private const int Concurrency = 16;

    public static async Task RunAsync(bool quick)
    {
        int items = quick ? 1_200 : 3_000;
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, Seed = 3 });
        double bound = Concurrency / 0.1; // one worker: 16 in flight ÷ 100 ms
        double local = await LocalAsync(simulator, items);
        Print("local_sluice_run", 1, items, local, bound, local);
        var walls = new Dictionary<int, double>();
        foreach (int silos in new[] { 1, 2, 3 })
        {
            walls[silos] = await ShardedAsync(simulator, items, silos);
            Print($"sharded_{silos}_silos", silos, items, walls[silos], bound * silos, local);
        }

        BenchResult.Print(new
        {
            Suite = "cluster",
            Case = "scaling",
            SpeedupOneToThreeSilos = Math.Round(walls[1] / walls[3], 2),
            ClusterOverheadOneSiloVsLocal = Math.Round((walls[1] / local) - 1, 3),
        });
    }

    private static void Print(string name, int silos, int items, double seconds, double bound, double local) =>
        BenchResult.Print(new
        {
            Suite = "cluster",
            Case = name,
            Silos = silos,
            Items = items,
            Seconds = Math.Round(seconds, 2),
            ItemsPerSecond = Math.Round(items / seconds, 1),
            RatioToBound = Math.Round(items / seconds / bound, 3),
            RatioToLocalWall = Math.Round(seconds / local, 3),
        });

    internal static string WriteInput(string directory, int items)
    {
        string path = Path.Combine(directory, "requests.jsonl");
        using var writer = new StreamWriter(path);
        for (int i = 0; i < items; i++)
        {
            writer.WriteLine($$$"""{"custom_id": "item-{{{i}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Line {{{i}}} of {{{directory.GetHashCode()}}}"}], "max_tokens": 16}}""");
        }

        return path;
    }

    private static async Task<double> LocalAsync(SimulatorHost simulator, int items)
    {
        string directory = Directory.CreateTempSubdirectory("sluice-bench-local-").FullName;
        try
        {
            var options = new SluiceClientOptions { Lanes = new ProviderLaneRegistry() };
            options.Concurrency.MaxConcurrency = Concurrency;
            var (http, handler) = OpenAICompatible.CreateHttpClient(simulator.OpenAIEndpoint, "none", "gpt-4o-mini", options);
            using var client = http;
            var runner = new BatchFileRunner(client, new BatchRunOptions
            {
                InputPath = WriteInput(directory, items),
                OutputPath = Path.Combine(directory, "results.jsonl"),
                Ordered = true,
                MaxInFlight = Concurrency,
                Ledger = handler.Ledger,
                ConcurrencyLimit = handler.Lane.Concurrency,
            });
            var watch = Stopwatch.StartNew();
            var result = await runner.RunAsync();
            if (result.Counts.Succeeded != items)
            {
                throw new InvalidOperationException($"the local run finished {result.Counts.Succeeded} of {items}");
            }

            return watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> ShardedAsync(SimulatorHost simulator, int items, int silos)
    {
        string directory = Directory.CreateTempSubdirectory("sluice-bench-sharded-").FullName;
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<Workers>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var options = new ShardedRunOptions
            {
                InputPath = WriteInput(directory, items),
                OutputPath = Path.Combine(directory, "results.jsonl"),
                BaseUrl = simulator.OpenAIEndpoint.ToString(),
                MaxConcurrency = Concurrency,
                ShardLines = 100,
            };
            var watch = Stopwatch.StartNew();
            await ShardedRun.SubmitAsync(cluster.Client, options);
            var status = await ShardedRun.WaitAsync(cluster.Client, options.OutputPath, TimeSpan.FromMilliseconds(100));
            double seconds = watch.Elapsed.TotalSeconds;
            if (status.OutputLines != items)
            {
                throw new InvalidOperationException($"the sharded run on {silos} silos wrote {status.OutputLines} of {items}");
            }

            return seconds;
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class Workers : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddShardWorker(options =>
        {
            options.IdleDelay = TimeSpan.FromMilliseconds(100);
            options.MaxInFlight = Concurrency;
        });
    }
}
