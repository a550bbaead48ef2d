using System.Diagnostics;
using Sluice.Simulator.Timing;

namespace Sluice.Simulator.Tests;

public sealed class LatencyTests
{
    [Fact]
    public async Task The_precise_delay_lands_within_a_millisecond_where_Task_Delay_would_not()
    {
        using var delay = new PreciseDelay();
        var errors = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await delay.DelayAsync(15, CancellationToken.None);
            errors.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds - 15);
        }
        errors.Sort();
        Assert.InRange(errors[errors.Count / 2], -0.01, 1.0);
    }

    [Fact]
    public async Task The_median_served_latency_is_within_a_millisecond_of_the_configured_one()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 25, JitterMs = 5 });
        using var client = Http.Client(host);
        await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("warm up"));
        host.Reset();

        var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            await gate.WaitAsync();
            try { await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"l{i}")); }
            finally { gate.Release(); }
        }));

        var latency = host.GetStats().Latency;
        Assert.Equal(60, latency.Count);
        Assert.InRange(latency.P50Ms, 24.0, 26.0);
        // Jitter is uniform in ±5 ms, so the 90th percentile sits near 29 ms. The maximum is not checked: one request
        // delayed by a busy machine says nothing about the latency model.
        Assert.True(latency.P90Ms > latency.P50Ms + 1, "jitter should spread the latencies");
        Assert.InRange(latency.P90Ms, 27.0, 31.5);
    }

    [Fact]
    public async Task Per_token_latency_and_saturation_above_capacity_lengthen_the_answer()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 10, PerTokenLatencyMs = 1, MinCompletionTokens = 20, MaxCompletionTokens = 20,
        });
        using var client = Http.Client(host);
        for (int i = 0; i < 10; i++)
            await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"p{i}"));
        Assert.InRange(host.GetStats().Latency.P50Ms, 29.5, 31.5);

        host.UpdateOptions(o => o with { Capacity = 2, PerTokenLatencyMs = 0, LatencyMs = 40 });
        host.Reset();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"s{i}"))));
        var saturated = host.GetStats().Latency;
        Assert.True(saturated.MaxMs >= 40 * 2.5, $"with 6 in flight over a capacity of 2 the slowest should take ~120 ms, took {saturated.MaxMs}");
    }
}
