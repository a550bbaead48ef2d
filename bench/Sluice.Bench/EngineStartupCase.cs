using System.Diagnostics;
using Sluice.ColdStart;

namespace Sluice.Bench;

/// <summary>
/// The engine's per-item cost as a user meets it (<see cref="ColdStartWork.EngineAsync"/>): measured warm in the
/// suite's process, and cold in a fresh child process (<c>Sluice.ColdStart</c>: the first 100,000 items, JIT and
/// tiering included, against the same process's warm cost) under several runtime settings, to find what makes the
/// first items cheap. Two references run the same way: the engine in a process whose <c>Sluice</c> meter and activity
/// source were created before the clock started (a process's first <see cref="System.Diagnostics.Metrics.Meter"/> or
/// <see cref="ActivitySource"/> costs tens of milliseconds, once, whoever creates it), and a plain worker loop with no
/// engine (<see cref="ColdStartWork.PlainWorkerLoopAsync"/>): what the runtime alone costs cold.
/// </summary>
internal static class EngineStartupCase
{
    /// <summary>Runtime settings tried for the cold start; each is what an application can set (environment or project file).</summary>
    private static readonly (string Name, string[] Environment)[] Settings =
    [
        ("default", []),
        ("diagnostics_created_first", ["SLUICE_BENCH_DIAGNOSTICS_FIRST=1"]),
        ("tiered_pgo_off", ["DOTNET_TieredPGO=0"]),
        ("call_counting_delay_0", ["DOTNET_TC_CallCountingDelayMs=0"]),
        ("tiered_compilation_off", ["DOTNET_TieredCompilation=0"]),
        ("quick_jit_for_loops_off", ["DOTNET_TC_QuickJitForLoops=0"]),
        ("framework_ready_to_run_off", ["DOTNET_ReadyToRun=0"]),
    ];

    public static async Task RunAsync(bool quick)
    {
        int items = quick ? 100_000 : 1_000_000;
        foreach (bool ordered in new[] { false, true })
        {
            await ColdStartWork.EngineAsync(10_000, ordered); // warm-up
            var runs = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                runs.Add(await ColdStartWork.EngineAsync(items, ordered) * 1e9 / items);
            }

            BenchResult.Print(new
            {
                Case = ordered ? "overhead_await_foreach_ordered" : "overhead_await_foreach_unordered",
                Items = items,
                MaxConcurrency = ColdStartWork.Workers,
                NsPerItem = Math.Round(runs.Min(), 1),
                NsPerItemRuns = runs.Select(r => Math.Round(r, 1)).ToArray(),
            });
        }

        foreach (var (name, environment) in Settings)
        {
            foreach (string mode in new[] { "unordered", "ordered" })
            {
                BenchResult.Print(await RunInChildProcessAsync(name, environment, mode));
            }
        }

        BenchResult.Print(await RunInChildProcessAsync("plain_worker_loop", [], "plain"));
    }

    private static async Task<object> RunInChildProcessAsync(string name, string[] environment, string mode)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cold-start", "Sluice.ColdStart.dll"));
        start.ArgumentList.Add(mode);
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
        var diagnostics = measured.GetProperty("diagnostics_ms");
        return new
        {
            Case = "cold_start_first_100k",
            Setting = name,
            Mode = mode,
            ColdNsPerItem = cold,
            WarmNsPerItem = warm,
            ColdOverWarm = Math.Round(cold / warm, 2),
            DiagnosticsMs = diagnostics.ValueKind == System.Text.Json.JsonValueKind.Number ? diagnostics.GetDouble() : (double?)null,
            ProcessSeconds = Math.Round(processSeconds, 2),
        };
    }
}
