using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Simulator;

namespace Sluice.Bench;

/// <summary>
/// Sharded runs as they are deployed (issue 14): each silo a <c>sluice worker</c> process of its own, joined through a
/// real <c>redis-server</c>, the run submitted with <c>sluice run --cluster</c> and followed to its end, against a
/// plain <c>sluice run</c> process on the same file — all with the command's defaults except <c>--concurrency 16</c>
/// (fsync on; the shard size the run's length chooses: 32 shards of 94 lines, then smaller ones, for 3,000 lines), on
/// a short file and on one four times as long. Then the same three workers under one <c>--rpm</c> that binds: the cluster's budget
/// must hold the three together to it. Every process runs one build of the command (<see cref="BenchCommand.Dll"/>): the IL build
/// beside the harness, or the one <c>SLUICE_BENCH_CLI</c> names, such as the installed tool's ReadyToRun build.
/// </summary>
internal static class ClusterProcessesBench
{
    private const int Concurrency = 16;

    private static string CliDll => BenchCommand.Dll;

    public static async Task RunAsync(bool quick)
    {
        BenchCommand.Announce("cluster-processes");
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, Seed = 7 });
        string directory = Directory.CreateTempSubdirectory("sluice-bench-processes-").FullName;
        try
        {
            // Two lengths: a short run (3,000 lines, ~20 s on one worker), where the fixed cost of a cluster run — the
            // submitting process's start and its connection to the cluster, ~1 s — is a large share of three workers'
            // ~7 s; and a run four times as long, whose figures are the scaling of the throughput itself. The longer
            // one goes second, so its four runs all meet a simulator the first one has warmed.
            foreach (int items in quick ? new[] { 1_500 } : [3_000, 12_000])
            {
                await ScalingAsync(directory, simulator, items);
            }

            // The budget binds: 3 workers could do 480/s; --rpm 6000 allows 100/s for all of them together.
            int limited = quick ? 600 : 1_500;
            string limitedInput = ClusterBench.WriteInput(directory, limited);
            double budgetBound, budgetRun;
            await using (var redis = await Redis.StartAsync())
            await using (var cluster = await Workers.StartAsync(directory, redis.Address, 3))
            {
                (budgetBound, budgetRun) = await TimeAsync(directory, "cluster-rpm.jsonl", simulator, limitedInput, redis.Address, "--rpm", "6000");
            }

            var stats = simulator.GetStats();
            BenchResult.Print(new
            {
                Suite = "cluster-processes",
                Case = "three_workers_under_rpm_6000",
                Items = limited,
                Seconds = Math.Round(budgetBound, 2),
                ItemsPerSecond = Math.Round(limited / budgetBound, 1),
                RatioToRpmLimit = Math.Round(limited / budgetBound / 100.0, 3),
                SecondsFromSubmission = Math.Round(budgetRun, 2),
                RatioToRpmLimitFromSubmission = Math.Round(limited / budgetRun / 100.0, 3),
                SimulatorRateLimited = stats.RateLimited,
                RequestsPerSecondLast25 = stats.PerSecond.TakeLast(25),
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One file of <paramref name="items"/> lines run by a plain <c>sluice run</c> process, then with
    /// <c>--cluster</c> on 1, 2 and 3 fresh workers (a fresh <c>redis-server</c> each time).</summary>
    private static async Task ScalingAsync(string directory, SimulatorHost simulator, int items)
    {
        double bound = Concurrency / 0.1; // one worker: 16 in flight ÷ 100 ms
        string input = ClusterBench.WriteInput(directory, items);
        var (local, localRun) = await TimeAsync(directory, $"local-{items}.jsonl", simulator, input, cluster: null);
        Print("local_sluice_run_process", 0, items, local, localRun, bound, local);
        var walls = new Dictionary<int, double>();
        var runs = new Dictionary<int, double>();
        foreach (int workers in new[] { 1, 2, 3 })
        {
            await using var redis = await Redis.StartAsync();
            await using var cluster = await Workers.StartAsync(directory, redis.Address, workers);
            (walls[workers], runs[workers]) = await TimeAsync(directory, $"cluster-{workers}-{items}.jsonl", simulator, input, redis.Address);
            Print($"cluster_{workers}_worker_processes", workers, items, walls[workers], runs[workers], bound * workers, local);
        }

        BenchResult.Print(new
        {
            Suite = "cluster-processes",
            Case = "scaling",
            Items = items,
            SpeedupOneToThreeWorkers = Math.Round(walls[1] / walls[3], 2),
            SpeedupOneToThreeWorkersFromSubmission = Math.Round(runs[1] / runs[3], 2),
            ClusterOverheadOneWorkerVsLocal = Math.Round((walls[1] / local) - 1, 3),
            FixedCostOfTheClusterRunSeconds = Math.Round(walls[3] - runs[3], 2),
        });
    }

    private static void Print(string name, int workers, int items, double seconds, double run, double bound, double local) =>
        BenchResult.Print(new
        {
            Suite = "cluster-processes",
            Case = name,
            Workers = workers,
            Items = items,
            Seconds = Math.Round(seconds, 2),
            SecondsOfTheRun = Math.Round(run, 2),
            ItemsPerSecond = Math.Round(items / seconds, 1),
            RatioToBound = Math.Round(items / seconds / bound, 3),
            RatioToBoundOfTheRun = Math.Round(items / run / bound, 3),
            RatioToLocalWall = Math.Round(seconds / local, 3),
        });

    /// <summary>The wall time of one <c>sluice run</c> process, from its start to its exit, run directory and all; and
    /// the run's own time from its <c>summary.json</c> (a local run: from the runner's start; a cluster run: from the
    /// submission, so without the process start and the connection to the cluster).</summary>
    private static async Task<(double Wall, double Run)> TimeAsync(string directory, string output, SimulatorHost simulator, string input, string? cluster, params string[] extra)
    {
        var arguments = new List<string> { CliDll, "run", "-i", input, "-o", Path.Combine(directory, output), "--base-url", simulator.OpenAIEndpoint.ToString(), "--no-api-key", "--concurrency", Concurrency.ToString() };
        if (cluster is not null)
        {
            arguments.AddRange(["--cluster", cluster]);
        }

        arguments.AddRange(extra);
        var watch = Stopwatch.StartNew();
        using var run = Start(directory, arguments);
        string stdout = await run.StandardOutput.ReadToEndAsync();
        string stderr = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        double seconds = watch.Elapsed.TotalSeconds;
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"sluice run {(cluster is null ? "" : "--cluster ")}exited {run.ExitCode}: {stdout} {stderr}");
        }

        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, output + ".sluice", "summary.json")));
        return (seconds, summary.RootElement.GetProperty("counts").GetProperty("elapsed_seconds").GetDouble());
    }

    private static Process Start(string directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SLUICE_STATUS_SECONDS"] = "60";
        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary><c>sluice worker</c> processes joined to one cluster; killed when disposed.</summary>
    private sealed class Workers(List<Process> processes) : IAsyncDisposable
    {
        public static async Task<Workers> StartAsync(string directory, string cluster, int count)
        {
            var processes = new List<Process>();
            for (int i = 0; i < count; i++)
            {
                var process = Start(directory, [CliDll, "worker", "--cluster", cluster, "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString(), "--advertise", "127.0.0.1"]);
                processes.Add(process);
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains("joined the cluster", StringComparison.Ordinal))
                {
                }

                if (line is null)
                {
                    throw new InvalidOperationException("a sluice worker did not join: " + await process.StandardError.ReadToEndAsync());
                }

                _ = process.StandardOutput.ReadToEndAsync(); // keep draining
                _ = process.StandardError.ReadToEndAsync();
            }

            return new Workers(processes);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    /// <summary>A <c>redis-server</c> of Debian's package on a free port, no persistence.</summary>
    private sealed class Redis(Process process, int port) : IAsyncDisposable
    {
        public string Address => $"redis://127.0.0.1:{port}";

        public static async Task<Redis> StartAsync()
        {
            int port = FreePort();
            var process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server")
            {
                ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server)");
            _ = process.StandardOutput.ReadToEndAsync();
            for (int i = 0; i < 100; i++)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return new Redis(process, port);
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }

            throw new InvalidOperationException($"redis-server did not listen on port {port}");
        }

        public async ValueTask DisposeAsync()
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
