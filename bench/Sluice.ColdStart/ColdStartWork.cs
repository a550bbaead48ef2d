using System.Diagnostics;

namespace Sluice.ColdStart;

/// <summary>
/// The work whose per-item cost the engine suite measures: an <c>Enumerable.Range</c> source, synchronous zero-latency
/// work, an <c>await foreach</c> consumer, 100 workers; and the same work on a plain worker loop with no engine.
/// </summary>
public static class ColdStartWork
{
    /// <summary>The concurrency of both loops.</summary>
    public const int Workers = 100;

    /// <summary>Runs <paramref name="items"/> items through <see cref="Batch.ProcessAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, CancellationToken, ValueTask{TOut}}, BatchOptions?, CancellationToken)"/>; returns the seconds taken.</summary>
    public static async Task<double> EngineAsync(int items, bool ordered)
    {
        var options = new BatchOptions { MaxConcurrency = Workers, Ordered = ordered };
        var clock = Stopwatch.StartNew();
        long sum = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, items), static (i, ct) => ValueTask.FromResult(i), options))
        {
            sum += r.Value;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        CheckSum(sum, items);
        return seconds;
    }

    /// <summary>
    /// The reference without the engine: <see cref="Workers"/> tasks take indexes with
    /// <see cref="Interlocked.Increment(ref int)"/> and write their results into an array; returns the seconds taken.
    /// </summary>
    public static async Task<double> PlainWorkerLoopAsync(int items)
    {
        var clock = Stopwatch.StartNew();
        int[] results = new int[items];
        int next = -1;
        var workers = new Task[Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < items)
                {
                    results[i] = await WorkAsync(i);
                }
            });
        }

        await Task.WhenAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        long sum = 0;
        foreach (int r in results)
        {
            sum += r;
        }

        CheckSum(sum, items);
        return seconds;

        static ValueTask<int> WorkAsync(int i) => ValueTask.FromResult(i);
    }

    private static void CheckSum(long sum, int items)
    {
        if (sum != (long)items * (items - 1) / 2)
        {
            throw new InvalidOperationException($"wrong sum for {items} items: {sum}");
        }
    }
}
