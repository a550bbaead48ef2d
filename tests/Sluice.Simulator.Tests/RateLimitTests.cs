using System.Net;
using System.Text.Json;
using Sluice.Simulator.Limits;

namespace Sluice.Simulator.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Over_the_request_budget_answers_429_with_OpenAI_headers_and_recovers_after_reset()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { RequestsPerMinute = 5 });
        using var client = Http.Client(host);

        var statuses = new List<HttpStatusCode>();
        var remaining = new List<string>();
        HttpResponseMessage? limited = null;
        var sinceFirst = System.Diagnostics.Stopwatch.StartNew();
        double limitedAtMs = 0;
        for (int i = 0; i < 7; i++)
        {
            var response = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody($"r{i}"));
            statuses.Add(response.StatusCode);
            remaining.Add(response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
                limitedAtMs = sinceFirst.Elapsed.TotalMilliseconds;
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), statuses);
        Assert.Equal(["4", "3", "2", "1", "0", "0", "0"], remaining);
        Assert.NotNull(limited);
        int retryAfter = int.Parse(limited!.Headers.GetValues("Retry-After").Single());
        double retryAfterMs = double.Parse(limited.Headers.GetValues("retry-after-ms").Single());
        // One request refills in 60/5 = 12 s, less the time that has passed since the first request took the budget.
        Assert.InRange(retryAfterMs, 12_000 - limitedAtMs - 50, 12_000);
        Assert.Equal((int)Math.Ceiling(retryAfterMs / 1000), retryAfter);
        Assert.Equal("5", limited.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.EndsWith("s", limited.Headers.GetValues("x-ratelimit-reset-requests").Single());
        var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());

        var stats = await Http.StatsAsync(client);
        Assert.Equal(2, stats.GetProperty("rate_limited").GetInt64());
        Assert.Equal(2, Http.Status(stats, "chat", 429));

        await client.PostAsync("/admin/reset", null);
        var recovered = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("after reset"));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal("4", recovered.Headers.GetValues("x-ratelimit-remaining-requests").Single());
    }

    [Fact]
    public async Task The_token_budget_charges_prompt_plus_max_tokens()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { TokensPerMinute = 100 });
        using var client = Http.Client(host);

        var first = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("hi", maxTokens: 60));
        var second = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("hi again", maxTokens: 60));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("100", first.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        Assert.Equal((100 - 60 - 7).ToString(), first.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("tokens", await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_exhausted_quota_answers_every_request_429_insufficient_quota_without_Retry_After()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { QuotaExhausted = true, RequestsPerMinute = 600 });
        using var client = Http.Client(host);

        var chat = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("x"));
        var embed = await Http.PostAsync(client, "/v1/embeddings", """{"model":"e","input":"x"}""");
        foreach (var response in new[] { chat, embed })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.False(response.Headers.Contains("Retry-After"), "a quota that ran out is not cured by waiting");
            Assert.False(response.Headers.Contains("retry-after-ms"));
            Assert.Equal("600", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
            Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        }

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.Equal(2, stats.RateLimited);
        Assert.Equal(0, stats.DistinctSucceeded);

        host.UpdateOptions(o => o with { QuotaExhausted = false }); // credit added
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("x"))).StatusCode);
    }

    [Fact]
    public async Task A_forced_429_carries_the_given_Retry_After_then_service_resumes()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);
        host.ForceRateLimit(2, TimeSpan.FromSeconds(1));

        var a = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("x"));
        var b = await Http.PostAsync(client, "/v1/embeddings", """{"model":"e","input":"x"}""");
        var c = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("x"));

        Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode);
        Assert.Equal("1", a.Headers.GetValues("Retry-After").Single());
        Assert.Equal("1000", a.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, b.StatusCode);
        Assert.Equal(HttpStatusCode.OK, c.StatusCode);

        var viaHttp = await client.PostAsync("/admin/force-429?count=1&retry_after_ms=2500", null);
        Assert.Equal(HttpStatusCode.OK, viaHttp.StatusCode);
        var d = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("x"));
        Assert.Equal("3", d.Headers.GetValues("Retry-After").Single());
        Assert.Equal("2500", d.Headers.GetValues("retry-after-ms").Single());
    }

    [Fact]
    public void A_client_sending_exactly_at_the_limit_is_never_refused_by_the_continuous_bucket()
    {
        // 600 RPM with a one-second burst: capacity 10, refill 10 per second. Drain it, then send every 100 ms.
        var bucket = new RateBucket(600, burstSeconds: 1, nowSeconds: 0);
        for (int i = 0; i < 10; i++) { Assert.True(bucket.Has(1)); bucket.Take(1); }
        Assert.False(bucket.Has(1));
        for (int i = 1; i <= 6000; i++)
        {
            bucket.Refill(i * 0.1);
            Assert.True(bucket.Has(1), $"refused at send {i}");
            bucket.Take(1);
        }
        bucket.Refill(600.05);
        Assert.False(bucket.Has(1));
        Assert.Equal(0.05, bucket.SecondsUntil(1), 6);
    }

    [Theory]
    [InlineData(0.12, "120ms")]
    [InlineData(1.0, "1s")]
    [InlineData(2.5, "2.5s")]
    [InlineData(360, "6m0s")]
    [InlineData(61.25, "1m1.25s")]
    public void Reset_durations_use_OpenAI_format(double seconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.FormatDuration(seconds));
}
