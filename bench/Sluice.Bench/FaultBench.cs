using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Sluice.Simulator;

namespace Sluice.Bench;

/// <summary>
/// The faults suite: the engine alone with a raw <see cref="HttpClient"/> (no retry, no Sluice client) against the
/// simulator with 20 ms latency, 10 % 500s and 2 % hangs, 64 workers, a 2 s attempt timeout per item. Ordered output
/// must not pay for the hangs at the head of the reorder window: goal ordered ÷ unordered wall time ≤ 1.2.
/// Each run gets a fresh simulator, so both orders meet the same faults (the simulator seeds its draws by request body).
/// </summary>
internal static class FaultBench
{
    private const int Workers = 64;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly SimulatorOptions Faulty = new() { LatencyMs = 20, Error500Rate = 0.10, HangRate = 0.02 };

    public static async Task RunAsync(bool quick)
    {
        int calls = quick ? 500 : 2_000;
        int rounds = quick ? 1 : 3;
        await RunOnceAsync(200, ordered: false); // warm-up: JIT, connections
        var unordered = new List<double>();
        var ordered = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            // Interleaved, so that noise from other work on the machine falls on both.
            unordered.Add(Print(calls, ordered: false, await RunOnceAsync(calls, ordered: false)));
            ordered.Add(Print(calls, ordered: true, await RunOnceAsync(calls, ordered: true)));
        }

        BenchResult.Print(new
        {
            Case = "faults_engine_ordered_vs_unordered",
            Calls = calls,
            Workers,
            Rounds = rounds,
            UnorderedSeconds = unordered.Select(s => Math.Round(s, 2)).ToArray(),
            OrderedSeconds = ordered.Select(s => Math.Round(s, 2)).ToArray(),
            Ratio = Math.Round(ordered.Sum() / unordered.Sum(), 3),
            Goal = 1.2,
        });
    }

    private static double Print(int calls, bool ordered, Run run)
    {
        BenchResult.Print(new
        {
            Case = ordered ? "faults_engine_ordered" : "faults_engine_unordered",
            Calls = calls,
            Workers,
            AttemptTimeoutS = AttemptTimeout.TotalSeconds,
            Seconds = Math.Round(run.Seconds, 2),
            run.Succeeded,
            run.Failed,
            run.TimedOut,
            MaxHeldForOrder = run.MaxHeldForOrder,
        });
        return run.Seconds;
    }

    private sealed record Run(double Seconds, int Succeeded, int Failed, int TimedOut, int MaxHeldForOrder);

    private static async Task<Run> RunOnceAsync(int calls, bool ordered)
    {
        await using var host = await SimulatorHost.StartAsync(Faulty);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1_000 })
        {
            BaseAddress = host.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // the per-item attempt timeout is the only one
        };
        var time = TimeProvider.System;
        int timedOut = 0, maxHeld = 0;
        var progress = new MaxHeldProgress();
        var options = new BatchOptions
        {
            MaxConcurrency = Workers,
            Ordered = ordered,
            TimeProvider = time,
            Progress = progress,
            ProgressInterval = TimeSpan.FromMilliseconds(50),
        };

        async ValueTask<int> CallAsync(int i, CancellationToken ct)
        {
            using var attempt = new CancellationTokenSource(AttemptTimeout, time);
            using var link = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), attempt);
            using var body = new StringContent(
                $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Fault bench item {{i}}"}]}""",
                Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            try
            {
                using var response = await http.PostAsync("/v1/chat/completions", body, attempt.Token);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(attempt.Token);
                return (int)response.StatusCode;
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref timedOut);
                throw new TimeoutException($"item {i}: no answer within {AttemptTimeout.TotalSeconds} s");
            }
        }

        int succeeded = 0, failed = 0;
        long expected = 0;
        var clock = Stopwatch.StartNew();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, calls), CallAsync, options))
        {
            if (ordered)
            {
                EngineBench.Check(r.Index == expected++, "out of order");
            }

            if (r.Succeeded)
            {
                succeeded++;
            }
            else
            {
                failed++;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        EngineBench.Check(succeeded + failed == calls, "items lost");
        maxHeld = progress.MaxHeld;
        return new Run(seconds, succeeded, failed, timedOut, maxHeld);
    }

    private sealed class MaxHeldProgress : IProgress<BatchProgress>
    {
        public int MaxHeld { get; private set; }

        public void Report(BatchProgress value) => MaxHeld = Math.Max(MaxHeld, value.HeldForOrder);
    }
}
