using System.Net;

namespace Sluice.Simulator.Tests;

public sealed class StatsTests
{
    [Fact]
    public async Task Stats_count_requests_duplicates_successes_and_tokens_as_sent()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);

        for (int i = 0; i < 10; i++)
            await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"q{i}"));
        await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("q0"));
        await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("q1"));
        await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("q1"));
        for (int i = 0; i < 3; i++)
            await Http.PostAsync(client, "/v1/embeddings", $$"""{"model":"e","input":"text {{i}}"}""");
        await Http.PostAsync(client, "/v1/chat/completions", "{}");

        var stats = await Http.StatsAsync(client);
        Assert.Equal(17, stats.GetProperty("requests").GetInt64());
        Assert.Equal(13, Http.Status(stats, "chat", 200));
        Assert.Equal(1, Http.Status(stats, "chat", 400));
        Assert.Equal(3, Http.Status(stats, "embeddings", 200));
        Assert.Equal(14, stats.GetProperty("distinct_bodies").GetInt64());
        Assert.Equal(2, stats.GetProperty("duplicate_bodies").GetInt64());
        Assert.Equal(13, stats.GetProperty("distinct_succeeded").GetInt64());
        Assert.Equal(2, stats.GetProperty("succeeded_more_than_once").GetInt64());
        Assert.Equal(17, stats.GetProperty("per_second").EnumerateArray().Sum(e => e.GetInt64()));
        Assert.Equal(16, stats.GetProperty("latency").GetProperty("count").GetInt64());
        Assert.True(stats.GetProperty("prompt_tokens").GetInt64() >= 13 * 7 + 3);
        Assert.True(stats.GetProperty("completion_tokens").GetInt64() >= 13 * host.Options.MinCompletionTokens);
        Assert.Equal(0, stats.GetProperty("in_flight").GetInt64());
        Assert.Equal(1, stats.GetProperty("peak_in_flight").GetInt64());

        var reset = await client.PostAsync("/admin/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var after = host.GetStats();
        Assert.Equal(0, after.Requests);
        Assert.Equal(0, after.DistinctBodies);
        Assert.Empty(after.ByEndpoint);
    }

    [Fact]
    public async Task Peak_in_flight_sees_concurrent_requests()
    {
        // A long latency, so that all 8 requests are held at once even if opening their connections is slow.
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 1500 });
        using var client = Http.Client(host);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"c{i}"))));

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.Equal(8, stats.PeakInFlight);
        Assert.Equal(8, stats.DistinctSucceeded);
    }
}

public sealed class WarmUpTests
{
    [Fact]
    public async Task A_warmed_up_simulator_starts_with_zero_counts_and_its_configured_budget_and_faults()
    {
        var configured = new SimulatorOptions { WarmUp = true, LatencyMs = 40, RequestsPerMinute = 3, BurstSeconds = 60, Error500Rate = 1 };
        long compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        await using var host = await SimulatorHost.StartAsync(configured);

        // The warm-up sent its requests through the real path (so the runtime compiled it), to a simulator of its own.
        Assert.True(System.Runtime.JitInfo.GetCompiledMethodCount() > compiledBefore);
        Assert.Equal(configured, host.Options);
        var stats = host.GetStats();
        Assert.Equal(0, stats.Requests);
        Assert.Empty(stats.ByEndpoint);
        Assert.Equal(0, stats.DistinctBodies);

        // The configured behaviour is back: every request a 500, and the budget full again (3 a minute), then a 429.
        using var client = Http.Client(host);
        for (int i = 0; i < 3; i++)
        {
            using var response = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"after {i}"));
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("3", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
        }

        using var limited = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("fourth"));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        var after = await host.GetStatsWhenIdleAsync();
        Assert.Equal(4, after.Requests);
        Assert.Equal(1, after.RateLimited);
    }
}
