using System.Diagnostics;

namespace Sluice.Bench;

/// <summary>
/// Streams N items through Batch.ProcessAsync in a fresh process and reports that process's peak working set,
/// so that 1M and 10M items can be compared: constant memory means the same peak.
/// </summary>
internal static class StreamingMemoryCase
{
    public static async Task<object> RunInChildProcessAsync(long items)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(StreamingMemoryCase).Assembly.Location);
        }

        start.ArgumentList.Add("memory");
        start.ArgumentList.Add(items.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var child = Process.Start(start)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        EngineBench.Check(child.ExitCode == 0, $"memory case exited with {child.ExitCode}");
        return System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(output.Trim());
    }

    public static async Task RunInThisProcessAsync(long items)
    {
        var options = new BatchOptions { MaxConcurrency = 100, Ordered = true };
        var clock = Stopwatch.StartNew();
        long n = 0;
        await foreach (var r in Batch.ProcessAsync(Source(items), static async (i, ct) =>
                       {
                           if ((i & 15) == 0)
                           {
                               await Task.Yield();
                           }

                           return i * 2;
                       }, options))
        {
            EngineBench.Check(r.Index == n && r.Value == n * 2, "out of order");
            n++;
        }

        EngineBench.Check(n == items, "items lost");
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        BenchResult.Print(new
        {
            Case = "streaming_memory",
            Items = items,
            MaxConcurrency = options.MaxConcurrency,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
            PeakWorkingSetMb = Math.Round(self.PeakWorkingSet64 / 1048576.0, 1),
            GcHeapMbAtEnd = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 2),
        });
    }

    private static IEnumerable<long> Source(long items)
    {
        for (long i = 0; i < items; i++)
        {
            yield return i;
        }
    }
}
