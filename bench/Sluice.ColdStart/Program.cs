using System.Diagnostics;
using System.Text.Json;
using Sluice;
using Sluice.ColdStart;

// One cold start: the first 100,000 items of this fresh process, then the best of three warm runs of 1,000,000.
// Usage: Sluice.ColdStart unordered|ordered|plain   (plain: the worker loop without the engine)
// With SLUICE_BENCH_DIAGNOSTICS_FIRST=1 the Sluice meter and activity source are created before the clock starts.
// Prints one JSON line: cold_ns_per_item, warm_ns_per_item, diagnostics_ms (when created first).
const int ColdItems = 100_000;
const int WarmItems = 1_000_000;

string mode = args.Length > 0 ? args[0] : "unordered";
if (mode is not ("unordered" or "ordered" or "plain"))
{
    Console.Error.WriteLine($"Unknown mode '{mode}': expected unordered, ordered or plain.");
    return 2;
}

double? diagnosticsMs = null;
if (Environment.GetEnvironmentVariable("SLUICE_BENCH_DIAGNOSTICS_FIRST") == "1")
{
    long before = Stopwatch.GetTimestamp();
    _ = SluiceDiagnostics.Meter;
    diagnosticsMs = Math.Round(Stopwatch.GetElapsedTime(before).TotalMilliseconds, 1);
}

Func<int, Task<double>> measure = mode switch
{
    "plain" => ColdStartWork.PlainWorkerLoopAsync,
    "ordered" => items => ColdStartWork.EngineAsync(items, ordered: true),
    _ => items => ColdStartWork.EngineAsync(items, ordered: false),
};

double cold = await measure(ColdItems) * 1e9 / ColdItems;
double warm = double.MaxValue;
for (int i = 0; i < 3; i++)
{
    warm = Math.Min(warm, await measure(WarmItems) * 1e9 / WarmItems);
}

Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double?>
{
    ["cold_ns_per_item"] = Math.Round(cold, 1),
    ["warm_ns_per_item"] = Math.Round(warm, 1),
    ["diagnostics_ms"] = diagnosticsMs,
}));
return 0;
