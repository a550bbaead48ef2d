using System.Diagnostics;

namespace Sluice.Bench;

/// <summary>
/// The engine's per-item cost as a user meets it: an <c>Enumerable.Range</c> source, synchronous zero-latency work, an
/// <c>await foreach</c> consumer, concurrency 100. Measured warm in the suite's process, and cold in a fresh child
/// process (the first 100,000 items, JIT and tiering included, against the same process's warm cost) under several
/// runtime settings, to find what makes the first items cheap.
/// </summary>
internal static class EngineStartupCase
{
    private const int Workers = 100;
    private const int ColdItems = 100_000;
    private const int WarmItems = 1_000_000;

    /// <summary>Runtime settings tried for the cold start; each is what an application can set (environment or project file).</summary>
    private static readonly (string Name, string[] Environment)[] Settings =
    [
        ("default", []),
        ("tiered_pgo_off", ["DOTNET_TieredPGO=0"]),
        ("call_counting_delay_0", ["DOTNET_TC_CallCountingDelayMs=0"]),
        ("tiered_compilation_off", ["DOTNET_TieredCompilation=0"]),
        ("quick_jit_for_loops_off", ["DOTNET_TC_QuickJitForLoops=0"]),
        ("framework_ready_to_run_off", ["DOTNET_ReadyToRun=0"]),
    ];

    public static async Task RunAsync(bool quick)
    {
        int items = quick ? 100_000 : WarmItems;
        foreach (bool ordered in new[] { false, true })
        {
            await MeasureAsync(10_000, ordered); // warm-up
            var runs = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                runs.Add(await MeasureAsync(items, ordered) * 1e9 / items);
            }

            BenchResult.Print(new
            {
                Case = ordered ? "overhead_await_foreach_ordered" : "overhead_await_foreach_unordered",
                Items = items,
                MaxConcurrency = Workers,
                NsPerItem = Math.Round(runs.Min(), 1),
                NsPerItemRuns = runs.Select(r => Math.Round(r, 1)).ToArray(),
            });
        }

        foreach (var (name, environment) in Settings)
        {
            foreach (bool ordered in new[] { false, true })
            {
                BenchResult.Print(await RunInChildProcessAsync(name, environment, ordered));
            }
        }
    }

    /// <summary>In a fresh process: the first <see cref="ColdItems"/> items, then warm runs of <see cref="WarmItems"/>.</summary>
    public static async Task RunInThisProcessAsync(bool ordered)
    {
        double cold = await MeasureAsync(ColdItems, ordered) * 1e9 / ColdItems;
        double warm = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            warm = Math.Min(warm, await MeasureAsync(WarmItems, ordered) * 1e9 / WarmItems);
        }

        BenchResult.Print(new { ColdNsPerItem = Math.Round(cold, 1), WarmNsPerItem = Math.Round(warm, 1) });
    }

    private static async Task<object> RunInChildProcessAsync(string name, string[] environment, bool ordered)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EngineStartupCase).Assembly.Location);
        }

        start.ArgumentList.Add("cold-start");
        start.ArgumentList.Add(ordered ? "ordered" : "unordered");
        foreach (string setting in environment)
        {
            string[] pair = setting.Split('=', 2);
            start.Environment[pair[0]] = pair[1];
        }

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        double processSeconds = clock.Elapsed.TotalSeconds;
        EngineBench.Check(child.ExitCode == 0, $"cold-start case exited with {child.ExitCode}");
        var measured = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(output.Trim());
        double cold = measured.GetProperty("cold_ns_per_item").GetDouble();
        double warm = measured.GetProperty("warm_ns_per_item").GetDouble();
        return new
        {
            Case = "cold_start_first_100k",
            Setting = name,
            Ordered = ordered,
            ColdNsPerItem = cold,
            WarmNsPerItem = warm,
            ColdOverWarm = Math.Round(cold / warm, 2),
            ProcessSeconds = Math.Round(processSeconds, 2),
        };
    }

    private static async Task<double> MeasureAsync(int items, bool ordered)
    {
        var options = new BatchOptions { MaxConcurrency = Workers, Ordered = ordered };
        var clock = Stopwatch.StartNew();
        long sum = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, items), static (i, ct) => ValueTask.FromResult(i), options))
        {
            sum += r.Value;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        EngineBench.Check(sum == (long)items * (items - 1) / 2, "wrong sum");
        return seconds;
    }
}
