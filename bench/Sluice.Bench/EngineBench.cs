using System.Diagnostics;

namespace Sluice.Bench;

/// <summary>
/// The engine suite. Scheduler efficiency is stated against two bounds: the nominal one (workers ÷ 10 ms) and the
/// measured one (the throughput of the same number of bare Task.Delay chains with no scheduler at all, measured in
/// the same run), because .NET timers here run on a coarse clock and Task.Delay(10) really lasts about 12 ms.
/// </summary>
internal static class EngineBench
{
    private const int Workers = 100;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(10);

    public static async Task RunAsync(bool quick)
    {
        int items = quick ? 2_000 : 10_000;
        int overheadItems = quick ? 100_000 : 1_000_000;

        // Warm up the JIT on every path measured below.
        await DelayChainsAsync(Workers, 200);
        await ProcessAsync(400, ordered: true);
        await ProcessAsync(400, ordered: false);
        await RunJobsAsync(400);
        SyncOverhead(10_000);
        await YieldOverheadAsync(10_000);

        double baseline = await DelayChainsAsync(Workers, items);
        double nominal = Workers / Latency.TotalSeconds;
        PrintEfficiency("bare_delay_chains", items, baseline, nominal, baseline);
        PrintEfficiency("batch_unordered", items, await ProcessAsync(items, ordered: false), nominal, baseline);
        PrintEfficiency("batch_ordered", items, await ProcessAsync(items, ordered: true), nominal, baseline);
        PrintEfficiency("jobs_run", items, await RunJobsAsync(items), nominal, baseline);
        PrintEfficiency("jobs_gather", items, await GatherAsync(items), nominal, baseline);

        PrintOverhead("overhead_sync_work", overheadItems, SyncOverhead(overheadItems));
        PrintOverhead("overhead_yielding_work", overheadItems / 4, await YieldOverheadAsync(overheadItems / 4));
        await EngineStartupCase.RunAsync(quick);

        foreach (long n in quick ? new long[] { 100_000, 1_000_000 } : [1_000_000, 10_000_000])
        {
            BenchResult.Print(await StreamingMemoryCase.RunInChildProcessAsync(n));
        }
    }

    private static void PrintEfficiency(string name, int items, double throughput, double nominal, double baseline) =>
        BenchResult.Print(new
        {
            Case = name,
            Items = items,
            Workers,
            LatencyMs = Latency.TotalMilliseconds,
            Throughput = Math.Round(throughput, 1),
            EfficiencyVsNominal = Math.Round(throughput / nominal, 3),
            EfficiencyVsBareDelays = Math.Round(throughput / baseline, 3),
        });

    private static void PrintOverhead(string name, int items, (double Seconds, long Bytes) measured) =>
        BenchResult.Print(new
        {
            Case = name,
            Items = items,
            MaxConcurrency = Workers,
            NsPerItem = Math.Round(measured.Seconds * 1e9 / items, 1),
            BytesPerItem = Math.Round((double)measured.Bytes / items, 1),
        });

    /// <summary>The bound with no scheduler: <paramref name="chains"/> loops each awaiting Task.Delay back to back.</summary>
    private static async Task<double> DelayChainsAsync(int chains, int total)
    {
        int perChain = total / chains;
        var clock = Stopwatch.StartNew();
        var tasks = new Task[chains];
        for (int c = 0; c < chains; c++)
        {
            tasks[c] = Task.Run(async () =>
            {
                for (int i = 0; i < perChain; i++)
                {
                    await Task.Delay(Latency);
                }
            });
        }

        await Task.WhenAll(tasks);
        return perChain * chains / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ProcessAsync(int items, bool ordered)
    {
        var options = new BatchOptions { MaxConcurrency = Workers, Ordered = ordered };
        var clock = Stopwatch.StartNew();
        long n = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, items), static async (i, ct) =>
                       {
                           await Task.Delay(Latency, ct);
                           return i;
                       }, options))
        {
            n += r.Succeeded ? 1 : 0;
        }

        Check(n == items, $"{n} of {items} items succeeded");
        return items / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RunJobsAsync(int items)
    {
        var clock = Stopwatch.StartNew();
        var results = await Jobs.RunAsync(Enumerable.Range(0, items).Select(static i => (Func<CancellationToken, Task<int>>)(async ct =>
        {
            await Task.Delay(Latency, ct);
            return i;
        })), Workers);
        Check(results.Count == items, "jobs lost");
        return items / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> GatherAsync(int items)
    {
        var clock = Stopwatch.StartNew();
        var results = await Jobs.GatherAsync(Enumerable.Range(0, items).Select(static i => (Func<CancellationToken, Task<int>>)(async ct =>
        {
            await Task.Delay(Latency, ct);
            return i;
        })), Workers);
        Check(results.Count == items, "jobs lost");
        return items / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Zero-latency work that completes synchronously: the engine's own cost per item.</summary>
    private static (double, long) SyncOverhead(int items)
    {
        var options = new BatchOptions { MaxConcurrency = Workers, Ordered = false };
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long sum = 0;
        var run = Batch.ProcessAsync(Enumerable.Range(0, items), static (i, ct) => ValueTask.FromResult(i), options)
            .GetAsyncEnumerator();
        while (true)
        {
            var next = run.MoveNextAsync();
            bool more = next.IsCompleted ? next.Result : next.AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                break;
            }

            sum += run.Current.Value;
        }

        run.DisposeAsync().AsTask().GetAwaiter().GetResult();
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        Check(sum == (long)items * (items - 1) / 2, "wrong sum");
        return (seconds, bytes);
    }

    /// <summary>Zero-latency work that yields once: each item goes through the thread pool.</summary>
    private static async Task<(double, long)> YieldOverheadAsync(int items)
    {
        var options = new BatchOptions { MaxConcurrency = Workers, Ordered = false };
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long n = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, items), static async (i, ct) =>
                       {
                           await Task.Yield();
                           return i;
                       }, options))
        {
            n++;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Check(n == items, "items lost");
        return (seconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    internal static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark self-check failed: " + message);
        }
    }
}
