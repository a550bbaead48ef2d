using System.Diagnostics;
using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Bench;

/// <summary>
/// The throughput-control suite, over real HTTP against Sluice.Simulator on 127.0.0.1 (in this process):
/// <list type="bullet">
/// <item><c>chat_64_workers</c>: 2,000 chat calls, 64 workers, 50 ms latency; efficiency = throughput ÷ (64 ÷ the
/// simulator's measured median latency).</item>
/// <item><c>rate_limit_adherence</c>: the simulator limited to 3,000 requests/min (enforced over 1 s windows, as
/// OpenAI does) for 60 s; achieved rate ÷ limit and the share of 429s.</item>
/// <item><c>adaptive_vs_fixed</c>: a simulator that slows down above 32 in flight; the adaptive limit's throughput ÷
/// the best fixed concurrency found by a sweep.</item>
/// </list>
/// </summary>
internal static class ThroughputBench
{
    private const string Model = "gpt-4o-mini";

    public static async Task RunAsync(bool quick)
    {
        await ChatEfficiencyAsync(quick ? 1_000 : 2_000);
        await RateLimitAdherenceAsync(TimeSpan.FromSeconds(quick ? 15 : 60));
        await AdaptiveVersusFixedAsync(quick ? 1_000 : 3_000);
    }

    /// <summary>A client of the whole stack on a lane of its own (each case starts cold).</summary>
    internal static IChatClient Client(SimulatorHost host, SluiceClientOptions options)
    {
        options.Lanes = new ProviderLaneRegistry();
        return OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, "sk-bench", Model, options);
    }

    /// <summary>Runs <paramref name="calls"/> distinct chat calls with <paramref name="workers"/> at once; returns calls/s.</summary>
    private static async Task<(double Throughput, long Failed)> DriveAsync(IChatClient client, int calls, int workers, string tag)
    {
        long failed = 0;
        var clock = Stopwatch.StartNew();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, calls),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"{tag} {i}: summarise the river", cancellationToken: ct)),
                           new BatchOptions { MaxConcurrency = workers, Ordered = false }))
        {
            failed += r.Succeeded ? 0 : 1;
        }

        return (calls / clock.Elapsed.TotalSeconds, failed);
    }

    private static async Task ChatEfficiencyAsync(int calls)
    {
        const int workers = 64;
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 50 });
        var client = Client(host, new SluiceClientOptions { Concurrency = { MaxConcurrency = workers } });

        // Steady state: the first passes run while the JIT is still tiering up (client and simulator share this
        // process); then three measured passes, each against the median latency the simulator measured in it.
        await DriveAsync(client, calls, workers, "warm-up-1");
        await DriveAsync(client, calls, workers, "warm-up-2");
        var runs = new List<(double Throughput, double Bound, double MedianMs, long Failed)>();
        for (int pass = 0; pass < 3; pass++)
        {
            host.Reset();
            var (throughput, failed) = await DriveAsync(client, calls, workers, $"chat-{pass}");
            double median = host.GetStats().Latency.P50Ms;
            runs.Add((throughput, workers / (median / 1000), median, failed));
        }

        var efficiencies = runs.Select(r => r.Throughput / r.Bound).Order().ToList();
        BenchResult.Print(new
        {
            Case = "chat_64_workers",
            Calls = calls,
            Workers = workers,
            ConfiguredLatencyMs = 50,
            MeasuredMedianLatencyMs = runs.Select(r => Math.Round(r.MedianMs, 2)).ToArray(),
            Throughput = runs.Select(r => Math.Round(r.Throughput, 1)).ToArray(),
            BoundPerSecond = runs.Select(r => Math.Round(r.Bound, 1)).ToArray(),
            Efficiency = efficiencies.Select(e => Math.Round(e, 3)).ToArray(),
            MedianEfficiency = Math.Round(efficiencies[1], 3),
            Failed = runs.Sum(r => r.Failed),
        });
    }

    private static async Task RateLimitAdherenceAsync(TimeSpan duration)
    {
        const int limit = 3_000;
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 50, RequestsPerMinute = limit, BurstSeconds = 1 });
        var client = Client(host, new SluiceClientOptions { RateBudget = { RequestsPerMinute = limit } });
        await client.GetResponseAsync("warm-up");
        host.Reset();

        var clock = Stopwatch.StartNew();
        long completed = 0, failed = 0;
        await foreach (var r in Batch.ProcessAsync(UntilDeadline(clock, duration),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"limited {i}", cancellationToken: ct)),
                           new BatchOptions { MaxConcurrency = 64, Ordered = false }))
        {
            if (r.Succeeded)
            {
                completed++;
            }
            else
            {
                failed++;
            }
        }

        double minutes = clock.Elapsed.TotalMinutes;
        var stats = host.GetStats();
        var ledger = client.GetService<UsageLedger>()!;
        BenchResult.Print(new
        {
            Case = "rate_limit_adherence",
            LimitPerMinute = limit,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            Completed = completed,
            Failed = failed,
            AchievedPerMinute = Math.Round(completed / minutes, 0),
            ShareOfLimit = Math.Round(completed / minutes / limit, 3),
            Responses = stats.Requests,
            TooManyRequests = stats.RateLimited,
            Share429 = Math.Round((double)stats.RateLimited / Math.Max(1, stats.Requests), 4),
            ClientRetries = ledger.Retries,
        });
    }

    private static IEnumerable<int> UntilDeadline(Stopwatch clock, TimeSpan duration)
    {
        for (int i = 0; clock.Elapsed < duration; i++)
        {
            yield return i;
        }
    }

    private static async Task AdaptiveVersusFixedAsync(int calls)
    {
        var options = new SimulatorOptions { Capacity = 32, LatencyMs = 50, PerTokenLatencyMs = 0.5 };
        var sweep = new List<(int Concurrency, double Throughput)>();
        foreach (int fixedLimit in new[] { 8, 16, 24, 32, 48, 64, 96 })
        {
            await using var host = await SimulatorHost.StartAsync(options);
            var client = Client(host, new SluiceClientOptions { Concurrency = { MaxConcurrency = fixedLimit } });
            await DriveAsync(client, 100, fixedLimit, "warm-up");
            var (throughput, _) = await DriveAsync(client, calls, fixedLimit, "fixed");
            sweep.Add((fixedLimit, throughput));
        }

        await using (var host = await SimulatorHost.StartAsync(options))
        {
            var client = Client(host, new SluiceClientOptions());
            var limit = (AdaptiveConcurrencyLimit)client.GetService<ConcurrencyLimit>()!;
            await DriveAsync(client, 100, 128, "warm-up");
            var (adaptive, _) = await DriveAsync(client, calls, 128, "adaptive");
            var best = sweep.MaxBy(s => s.Throughput);
            BenchResult.Print(new
            {
                Case = "adaptive_vs_fixed",
                Calls = calls,
                SimulatorCapacity = 32,
                Sweep = sweep.Select(s => new { s.Concurrency, Throughput = Math.Round(s.Throughput, 1) }).ToArray(),
                BestFixedConcurrency = best.Concurrency,
                BestFixedThroughput = Math.Round(best.Throughput, 1),
                AdaptiveThroughput = Math.Round(adaptive, 1),
                AdaptiveFinalLimit = limit.CurrentLimit,
                Ratio = Math.Round(adaptive / best.Throughput, 3),
            });
        }
    }
}
