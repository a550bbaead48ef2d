using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.AI.Tests.Http;

/// <summary>
/// <see cref="SluiceThroughputHandler"/> over real HTTP to the simulator: the bytes on the wire, which statuses are
/// retried and which are returned, the lane's pause after a 429, the attempt timeout, usage accounting and the
/// concurrency limit.
/// </summary>
public sealed class SluiceThroughputHandlerTests
{
    /// <summary>Odd whitespace, key order and escapes: any re-serialisation would change these bytes.</summary>
    private const string OddBody = "{ \"messages\" :[ {\"content\":\"caf\\u00e9  spaced\\tout\",   \"role\":\"user\"}],\n  \"model\":\"gpt-4o-mini\" ,\"max_tokens\":16 }";

    [Fact]
    public async Task Every_attempt_carries_exactly_the_callers_body_bytes()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Error500Rate = 1.0 });
        using var wire = new WireRecorder();
        using var http = Client(host, wire, Fast(attempts: 3));
        byte[] body = Encoding.UTF8.GetBytes(OddBody);

        using var response = await PostAsync(http, body);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var sent = wire.Exchanges;
        Assert.Equal(3, sent.Count);
        Assert.All(sent, e => Assert.Equal(body, e.Body));
        var stats = host.GetStats();
        Assert.Equal(3, stats.Requests);
        Assert.Equal(1, stats.DistinctBodies);

        // The caller's own bytes, sent without Sluice, are the same body to the simulator: no new distinct body.
        host.UpdateOptions(o => o with { Error500Rate = 0 });
        using var plain = new HttpClient();
        using var direct = await plain.PostAsync(new Uri(host.OpenAIEndpoint + "/chat/completions"), Json(body));
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(1, host.GetStats().DistinctBodies);
    }

    [Fact]
    public async Task A_body_given_as_bytes_in_a_slice_of_a_larger_array_goes_out_as_exactly_that_slice_on_every_attempt()
    {
        // BodyBytesContent is read without a copy: the handler must send the slice, not the array around it.
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Error500Rate = 1.0 });
        using var wire = new WireRecorder();
        using var http = Client(host, wire, Fast(attempts: 3));
        byte[] body = Encoding.UTF8.GetBytes(OddBody);
        byte[] file = [.. "{\"custom_id\": \"x\", \"body\": "u8.ToArray(), .. body, .. "}\n"u8.ToArray()];
        using var content = new BodyBytesContent(file.AsMemory(file.Length - body.Length - 2, body.Length));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync("chat/completions", content);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(3, wire.Exchanges.Count);
        Assert.All(wire.Exchanges, e => Assert.Equal(body, e.Body));
        Assert.Equal(1, host.GetStats().DistinctBodies);
    }

    [Fact]
    public async Task A_400_returns_at_once_with_the_providers_status_and_body()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var wire = new WireRecorder();
        using var handler = Handler(wire, Fast(attempts: 5));
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };

        using var response = await PostAsync(http, """{"model": "gpt-4o-mini", "messages": []}"""u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        using var error = JsonDocument.Parse(text);
        Assert.Equal("messages", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains("empty array", text);
        Assert.Single(wire.Exchanges);
        Assert.Equal(1, host.GetStats().Requests);
        Assert.Equal(1, handler.Ledger.Attempts);
        Assert.Equal(0, handler.Ledger.Retries);
    }

    [Fact]
    public async Task A_500_is_retried_and_the_final_success_returned()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Error500Rate = 1.0 });
        using var wire = new WireRecorder(status =>
        {
            if (status == 500)
            {
                host.UpdateOptions(o => o with { Error500Rate = 0 }); // the next attempt succeeds
            }
        });
        using var handler = Handler(wire, Fast(attempts: 4));
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };

        using var response = await PostAsync(http, Encoding.UTF8.GetBytes(OddBody));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("chat.completion", completion.RootElement.GetProperty("object").GetString());
        Assert.Equal([500, 200], wire.Exchanges.Select(e => e.Status));
        Assert.Equal(1, handler.Ledger.Retries);
        Assert.Equal(1, handler.Ledger.Succeeded);
    }

    [Fact]
    public async Task After_every_attempt_fails_with_5xx_the_last_response_is_returned_not_thrown()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Error503Rate = 1.0 });
        using var wire = new WireRecorder();
        using var handler = Handler(wire, Fast(attempts: 3));
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };

        using var response = await PostAsync(http, Encoding.UTF8.GetBytes(OddBody));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("simulated 503", text);
        using var error = JsonDocument.Parse(text);
        Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(3, wire.Exchanges.Count);
        Assert.Equal(3, host.GetStats().Requests);
        Assert.Equal(1, handler.Ledger.Failed);
    }

    [Fact]
    public async Task A_429_with_Retry_After_pauses_the_lane_so_nothing_is_sent_before_it()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var wire = new WireRecorder();
        var options = Fast(attempts: 5);
        options.Concurrency.MaxConcurrency = 16;
        using var handler = Handler(wire, options);
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };
        (await PostAsync(http, Chat(-1))).Dispose(); // warm-up: connection and tokenizer

        host.ForceRateLimit(1, TimeSpan.FromSeconds(1));
        var first = PostAsync(http, Chat(0));
        var waited = Stopwatch.StartNew();
        while (handler.Lane.Budget.Snapshot.Pauses == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the 429 never paused the lane");
            await Task.Delay(1);
        }

        var others = Enumerable.Range(1, 8).Select(i => PostAsync(http, Chat(i))).ToList();
        using (await first)
        {
        }

        foreach (var response in await Task.WhenAll(others))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        var exchanges = wire.Exchanges;
        double limited = exchanges.Single(e => e.Status == 429).ReceivedMs;
        var after = exchanges.Where(e => e.SentMs > limited).ToList();
        Assert.Equal(9, after.Count); // the retried first and the eight others
        Assert.All(after, e => Assert.True(e.SentMs >= limited + 990, $"sent {e.SentMs - limited:0.0} ms after the 429"));
        Assert.Equal(1, handler.Ledger.RateLimited);
    }

    [Fact]
    public async Task An_attempt_that_hangs_past_the_timeout_throws_AttemptTimeoutException_after_every_attempt()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { HangRate = 1.0, MaxHangMs = 10_000 });
        using var wire = new WireRecorder();
        var options = Fast(attempts: 2);
        options.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
        using var handler = Handler(wire, options);
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<AttemptTimeoutException>(() => PostAsync(http, Encoding.UTF8.GetBytes(OddBody)));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.55, 8);
        Assert.Equal(2, wire.Exchanges.Count);
        Assert.Equal(2, host.GetStats().Requests);
        Assert.Equal(1, handler.Ledger.Failed);
    }

    [Fact]
    public async Task The_usage_of_each_answer_settles_into_the_ledger()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var wire = new WireRecorder();
        using var handler = Handler(wire, Fast(attempts: 2));
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };
        long prompt = 0, completion = 0;

        for (int i = 0; i < 5; i++)
        {
            using var response = await PostAsync(http, Chat(i));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            prompt += json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
            completion += json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt64();
        }

        using (var embedding = await PostAsync(http, """{"model": "text-embedding-3-small", "input": ["one text", "and another"]}"""u8.ToArray(), "embeddings"))
        {
            Assert.Equal(HttpStatusCode.OK, embedding.StatusCode);
            using var json = JsonDocument.Parse(await embedding.Content.ReadAsStringAsync());
            prompt += json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64();
        }

        Assert.True(prompt > 0 && completion > 0);
        Assert.Equal(prompt, handler.Ledger.InputTokens);
        Assert.Equal(completion, handler.Ledger.OutputTokens);
        var stats = host.GetStats();
        Assert.Equal(stats.PromptTokens, handler.Ledger.InputTokens);
        Assert.Equal(stats.CompletionTokens, handler.Ledger.OutputTokens);
    }

    [Fact]
    public async Task The_concurrency_limit_is_never_exceeded()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 40 });
        using var wire = new WireRecorder();
        var options = Fast(attempts: 2);
        options.Concurrency.MaxConcurrency = 4;
        using var handler = Handler(wire, options);
        using var http = new HttpClient(handler) { BaseAddress = Base(host) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => PostAsync(http, Chat(i))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        var stats = host.GetStats();
        Assert.Equal(60, stats.Requests);
        Assert.InRange(stats.PeakInFlight, 2, 4); // used, and never above the limit
    }

    private static SluiceClientOptions Fast(int attempts)
    {
        var options = new SluiceClientOptions();
        options.Retry.MaxAttempts = attempts;
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(5);
        options.Retry.FaultBaseDelay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Concurrency.MaxConcurrency ??= 8;
        return options;
    }

    private static SluiceThroughputHandler Handler(WireRecorder wire, SluiceClientOptions options) => new(wire, lane: null, options);

    private static HttpClient Client(SimulatorHost host, WireRecorder wire, SluiceClientOptions options) =>
        new(Handler(wire, options)) { BaseAddress = Base(host) };

    private static Uri Base(SimulatorHost host) => new(host.OpenAIEndpoint.AbsoluteUri.TrimEnd('/') + "/");

    private static byte[] Chat(int i) =>
        Encoding.UTF8.GetBytes($$"""{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Write a line about item {{i}}."}], "max_tokens": 16}""");

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] body, string path = "chat/completions") =>
        http.PostAsync(path, Json(body));

    /// <summary>The handler under Sluice: what went on the wire in each attempt (body bytes, when, the status).</summary>
    private sealed class WireRecorder(Action<int>? afterResponse = null) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly List<(byte[] Body, double SentMs, double ReceivedMs, int Status)> _exchanges = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public IReadOnlyList<(byte[] Body, double SentMs, double ReceivedMs, int Status)> Exchanges
        {
            get { lock (_exchanges) { return _exchanges.ToArray(); } }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            double sent = _clock.Elapsed.TotalMilliseconds;
            int status = 0;
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
                afterResponse?.Invoke(status);
                return response;
            }
            finally
            {
                lock (_exchanges)
                {
                    _exchanges.Add((body, sent, _clock.Elapsed.TotalMilliseconds, status));
                }
            }
        }
    }
}
