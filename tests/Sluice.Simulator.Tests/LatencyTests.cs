using System.Diagnostics;
using Sluice.Simulator.Timing;

namespace Sluice.Simulator.Tests;

public sealed class LatencyTests
{
    [Fact]
    public async Task The_precise_delay_lands_within_a_millisecond_where_Task_Delay_would_not()
    {
        using var delay = new PreciseDelay();

        // The wait is measured where the awaiting code resumes, which includes a thread-pool hop. On a busy 2-core
        // machine one round can be late as a whole, so up to three rounds are run and the best median must be within
        // 1 ms. A delay on .NET's timer queue is about 2 ms late in every round and still fails.
        var medians = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var errors = new List<double>();
            for (int i = 0; i < 20; i++)
            {
                long start = Stopwatch.GetTimestamp();
                await delay.DelayAsync(15, CancellationToken.None);
                errors.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds - 15);
            }

            errors.Sort();
            Assert.True(errors[0] >= -0.01, $"a delay ended {-errors[0]:F3} ms early");
            medians.Add(errors[errors.Count / 2]);
            if (medians[^1] <= 1.0)
            {
                break;
            }
        }

        Assert.InRange(medians.Min(), -0.01, 1.0);
    }

    [Fact]
    public async Task The_median_served_latency_is_within_a_millisecond_of_the_configured_one()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 25, JitterMs = 5 });
        using var client = Http.Client(host);
        await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("warm up"));
        await host.ResetWhenIdleAsync();

        // Served latency includes the thread-pool hop after the delay. On a busy 2-core machine one round can be late
        // as a whole, so up to three rounds are served and one must meet the model. A wrong model fails every round.
        // Jitter is uniform in ±5 ms, so the 90th percentile sits near 29 ms. The maximum is not checked: one request
        // delayed by a busy machine says nothing about the latency model.
        var rounds = new List<LatencySummary>();
        for (int round = 0; round < 3; round++)
        {
            await host.ResetWhenIdleAsync();
            var gate = new SemaphoreSlim(4);
            await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
            {
                await gate.WaitAsync();
                try { await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"l{round}-{i}")); }
                finally { gate.Release(); }
            }));

            var latency = (await host.GetStatsWhenIdleAsync()).Latency;
            Assert.Equal(60, latency.Count);
            Assert.True(latency.P90Ms > latency.P50Ms + 1, "jitter should spread the latencies");
            rounds.Add(latency);
            if (Meets(latency))
            {
                break;
            }
        }

        Assert.True(rounds.Any(Meets), "no round had a median in 24–26 ms and a 90th percentile in 27–31.5 ms: "
            + string.Join("; ", rounds.Select(l => $"p50 {l.P50Ms} p90 {l.P90Ms}")));

        static bool Meets(LatencySummary l) => l.P50Ms is >= 24.0 and <= 26.0 && l.P90Ms is >= 27.0 and <= 31.5;
    }

    [Fact]
    public async Task Per_token_latency_and_saturation_above_capacity_lengthen_the_answer()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 10, PerTokenLatencyMs = 1, MinCompletionTokens = 20, MaxCompletionTokens = 20,
        });
        using var client = Http.Client(host);
        var medians = new List<double>();
        for (int round = 0; round < 3 && !medians.Any(m => m is >= 29.5 and <= 31.5); round++) // best of three, as above
        {
            await host.ResetWhenIdleAsync();
            for (int i = 0; i < 10; i++)
                await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"p{round}-{i}"));
            medians.Add((await host.GetStatsWhenIdleAsync()).Latency.P50Ms);
        }
        Assert.True(medians.Any(m => m is >= 29.5 and <= 31.5), $"10 ms + 20 tokens × 1 ms should serve in 30 ms; medians {string.Join(", ", medians)}");

        host.UpdateOptions(o => o with { Capacity = 2, PerTokenLatencyMs = 0, LatencyMs = 40 });
        await host.ResetWhenIdleAsync();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"s{i}"))));
        var saturated = (await host.GetStatsWhenIdleAsync()).Latency;
        Assert.True(saturated.MaxMs >= 40 * 2.5, $"with 6 in flight over a capacity of 2 the slowest should take ~120 ms, took {saturated.MaxMs}");
    }
}
