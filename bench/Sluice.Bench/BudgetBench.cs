using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Sluice.AI;
using Sluice.Cluster;
using Sluice.Redis;
using Sluice.Simulator;
using Sluice.Testing;
using StackExchange.Redis;

namespace Sluice.Bench;

/// <summary>
/// The shared rate budget (issue 14): how many lease grants a second each leaser serves (target ≥ 1,000/s for the
/// budget grain), and what sharing buys: three holders with demand far above one key's limit, each keeping the limit
/// alone (as LiteLLM's replicas do) vs sharing it through the budget grain and through Redis, measured at the simulator.
/// </summary>
internal static class BudgetBench
{
    public static async Task RunAsync(bool quick)
    {
        string? redisServer = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : null;
        var builder = new TestClusterBuilder(3);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        using var redis = redisServer is null ? null : RedisProcess.Start(redisServer);
        try
        {
            var grains = Enumerable.Range(0, 3).Select(i => cluster.GetSiloServiceProvider(cluster.Silos[i].SiloAddress).GetRequiredService<IGrainFactory>()).ToArray();
            TimeSpan grantWindow = TimeSpan.FromSeconds(quick ? 3 : 10);
            await GrantRateAsync("in_process_allocator", _ => new InProcessCapacityLeaser(), grantWindow);
            await GrantRateAsync("orleans_budget_grain_3_silos", h => new OrleansCapacityLeaser(grains[h % 3]), grantWindow);
            if (redis is not null)
            {
                var connections = Enumerable.Range(0, 4).Select(_ => ConnectionMultiplexer.Connect(redis.Configuration)).ToArray();
                await GrantRateAsync("redis_script", h => new RedisCapacityLeaser(connections[h % connections.Length]), grantWindow);
                foreach (var connection in connections)
                {
                    connection.Dispose();
                }
            }
            else
            {
                Console.Error.WriteLine("budget: /usr/bin/redis-server is missing (apt-get install redis-server): the Redis cases are skipped");
            }

            TimeSpan run = TimeSpan.FromSeconds(quick ? 15 : 40);
            await LimitKeptAsync("three_holders_each_alone", _ => null, run);
            await LimitKeptAsync("three_holders_orleans_budget_grain", h => new OrleansCapacityLeaser(grains[h % 3]), run);
            if (redis is not null)
            {
                await LimitKeptAsync("three_holders_redis_script", _ => new RedisCapacityLeaser(ConnectionMultiplexer.Connect(redis.Configuration)), run);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>64 holders on one lane renew as fast as they can: lease grants per second.</summary>
    private static async Task GrantRateAsync(string name, Func<int, CapacityLeaser> leaserFor, TimeSpan window)
    {
        const int holders = 64;
        string lane = $"bench-{Guid.NewGuid():N}";
        long grants = 0;
        using var stop = new CancellationTokenSource(window + TimeSpan.FromSeconds(1));
        long measureFrom = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // a second of warm-up
        long measured = 0;
        var latencies = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, holders).Select(h => Task.Run(async () =>
        {
            var leaser = leaserFor(h);
            var local = new List<double>();
            int i = 0;
            while (!stop.IsCancellationRequested)
            {
                long started = Stopwatch.GetTimestamp();
                await leaser.LeaseAsync(new CapacityRequest(lane, $"holder-{h}", new BudgetRates(60_000, 6_000_000), new BudgetRates(100 + (i++ % 7), 10_000), default, TimeSpan.Zero));
                if (started >= measureFrom)
                {
                    Interlocked.Increment(ref measured);
                    local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                Interlocked.Increment(ref grants);
            }

            lock (latencies)
            {
                latencies.AddRange(local);
            }
        })));
        latencies.Sort();
        double perSecond = measured / window.TotalSeconds;
        BenchResult.Print(new
        {
            Suite = "budget",
            Case = "lease_grants_" + name,
            Holders = holders,
            GrantsPerSecond = Math.Round(perSecond),
            RatioToTarget1000 = Math.Round(perSecond / 1000, 2),
            LatencyP50Ms = Math.Round(latencies[latencies.Count / 2], 3),
            LatencyP99Ms = Math.Round(latencies[(int)(latencies.Count * 0.99)], 3),
        });
    }

    /// <summary>Three holders, 16 workers each, send real requests for <paramref name="run"/> with one key whose limit
    /// is 1,200 a minute; the simulator counts what arrived.</summary>
    private static async Task LimitKeptAsync(string name, Func<int, CapacityLeaser?> leaserFor, TimeSpan run)
    {
        const int rpm = 1_200;
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        var clients = Enumerable.Range(0, 3).Select(h =>
        {
            var options = new SluiceClientOptions
            {
                RateBudget = { RequestsPerMinute = rpm, Leaser = leaserFor(h) },
                Concurrency = { MaxConcurrency = 16 },
                Lanes = new ProviderLaneRegistry(), // a process of its own
            };
            return OpenAICompatible.CreateHttpClient(simulator.OpenAIEndpoint, "sk-bench", "gpt-4o-mini", options);
        }).ToArray();
        simulator.Reset();
        using var stop = new CancellationTokenSource(run);
        await Task.WhenAll(clients.SelectMany((c, h) => Enumerable.Range(0, 16).Select(w => ChatLoad.SendUntilAsync(c.Client, $"{name} {h} {w}", stop.Token))));
        var stats = await simulator.GetStatsWhenIdleAsync(TimeSpan.FromSeconds(10));
        foreach (var (client, handler) in clients)
        {
            handler.Lane.Budget.Dispose();
            client.Dispose();
        }

        long[] perSecond = stats.PerSecond[..^1];
        long[] steady = perSecond.Skip(5).ToArray(); // after the shares settle
        double perMinute = steady.Average() * 60;
        BenchResult.Print(new
        {
            Suite = "budget",
            Case = name,
            LimitPerMinute = rpm,
            Seconds = perSecond.Length,
            SentPerMinuteSteady = Math.Round(perMinute),
            RatioToLimit = Math.Round(perMinute / rpm, 3),
            MaxOneSecond = perSecond.Max(),
            MaxOneSecondRatioToLimit = Math.Round(perSecond.Max() / (rpm / 60.0), 2),
        });
    }

    /// <summary>A redis-server child process on a free port of 127.0.0.1, no persistence.</summary>
    private sealed class RedisProcess : IDisposable
    {
        private readonly Process _process;

        private RedisProcess(Process process, int port)
        {
            _process = process;
            Configuration = $"127.0.0.1:{port}";
        }

        public string Configuration { get; }

        public static RedisProcess Start(string server)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var process = Process.Start(new ProcessStartInfo(server)
            {
                ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
                RedirectStandardOutput = true,
            })!;
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            for (int i = 0; i < 50; i++)
            {
                try
                {
                    using var connection = ConnectionMultiplexer.Connect($"127.0.0.1:{port},connectTimeout=500");
                    connection.GetDatabase().Ping();
                    break;
                }
                catch (RedisConnectionException)
                {
                    Thread.Sleep(100);
                }
            }

            return new RedisProcess(process, port);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }

            _process.Dispose();
        }
    }
}
