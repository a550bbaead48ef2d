using System.Collections.Concurrent;
using System.Net;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Rag.Tests;

/// <summary>The Parallel Web Systems client against the simulator's Search and Extract endpoints on 127.0.0.1.</summary>
public sealed class ParallelWebClientTests
{
    private const string Key = "pw-sluice-test-key";

    private static ParallelWebOptions Options(SimulatorHost host, HttpMessageHandler? handler = null, int maxAttempts = 10) => new()
    {
        BaseAddress = host.BaseAddress,
        ApiKey = Key,
        Retry = new SluiceRetryOptions { MaxAttempts = maxAttempts, BaseDelay = TimeSpan.FromMilliseconds(5), FaultBaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromSeconds(2) },
        HttpClient = handler is null ? null : new HttpClient(handler),
        UrlsPerExtract = 10,
        MaxConcurrency = 3,
    };

    private static string[] Urls(int count, params int[] failing) =>
        [.. Enumerable.Range(0, count).Select(i => failing.Contains(i) ? $"https://site{i}.invalid/page" : $"https://example.org/articles/{i}")];

    [Fact]
    public async Task Search_results_become_documents_with_their_metadata_and_the_headers_are_sent()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var recorder = new HeaderRecorder();
        var client = new ParallelWebClient(Options(host, recorder));

        var result = await client.SearchAsync(new WebSearchRequest { Objective = "How do tides work?", SearchQueries = ["tides moon"], MaxResults = 5 });

        Assert.StartsWith("search_", result.SearchId);
        Assert.Equal(5, result.Documents.Count);
        Assert.All(result.Documents, d =>
        {
            Assert.Equal(d.Id, d.Metadata[WebDocument.UrlKey]);
            Assert.False(string.IsNullOrWhiteSpace(d.Metadata[WebDocument.TitleKey]));
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", d.Metadata[WebDocument.PublishDateKey]);
            Assert.Equal(result.SearchId, d.Metadata[WebDocument.SearchIdKey]);
            Assert.False(string.IsNullOrWhiteSpace(d.Text));
        });
        var request = Assert.Single(recorder.Requests);
        Assert.Equal(new Uri(host.BaseAddress, "v1beta/search"), request.Uri);
        Assert.Equal(Key, request.Headers["x-api-key"]);
        Assert.Equal(ParallelWebClient.BetaHeaderValue, request.Headers["parallel-beta"]);
    }

    [Fact]
    public async Task Many_urls_are_split_into_concurrent_calls_and_a_failed_url_is_an_error_record_beside_the_pages()
    {
        await using var host = await SimulatorHost.StartAsync();
        var client = new ParallelWebClient(Options(host));
        string[] urls = Urls(25, 3, 11, 24);

        var result = await client.ExtractAsync(urls, new WebExtractRequest { FullContent = true });

        Assert.Equal(3, result.ExtractIds.Count);
        Assert.Equal(3, (await host.GetStatsWhenIdleAsync()).ByEndpoint["extract"]["200"]);
        Assert.Equal(urls.Where((_, i) => i is not (3 or 11 or 24)), result.Documents.Select(d => d.Id));
        Assert.All(result.Documents, d =>
        {
            Assert.StartsWith("# ", d.Text); // the full content, not the excerpts
            Assert.Contains(d.Metadata[WebDocument.ExtractIdKey], result.ExtractIds);
            Assert.True(d.Metadata.ContainsKey(WebDocument.TitleKey) && d.Metadata.ContainsKey(WebDocument.PublishDateKey));
        });
        Assert.Equal([urls[3], urls[11], urls[24]], result.Errors.Select(e => e.Url));
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("fetch_error", e.ErrorType);
            Assert.Equal(404, e.StatusCode);
            Assert.NotNull(e.ExtractId);
            Assert.Null(e.Exception);
        });
    }

    [Fact]
    public async Task Transient_failures_and_malformed_bodies_are_retried_until_every_call_succeeds()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 3, Error500Rate = 0.2, Error502Rate = 0.1, MalformedRate = 0.1, DropRate = 0.05 });
        var client = new ParallelWebClient(Options(host));

        for (int i = 0; i < 10; i++)
        {
            var search = await client.SearchAsync(new WebSearchRequest { Objective = $"question {i}", MaxResults = 3 });
            Assert.Equal(3, search.Documents.Count);
        }

        var extract = await client.ExtractAsync(Urls(60));
        Assert.Equal(60, extract.Documents.Count);
        Assert.Empty(extract.Errors);
        var stats = await host.GetStatsWhenIdleAsync();
        Assert.True(stats.Faults.Values.Sum() >= 3, $"only {stats.Faults.Values.Sum()} faults were injected");
    }

    [Fact]
    public async Task A_429_is_retried_after_the_providers_Retry_After()
    {
        await using var host = await SimulatorHost.StartAsync();
        var client = new ParallelWebClient(Options(host));
        host.ForceRateLimit(1, TimeSpan.FromMilliseconds(600));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await client.SearchAsync(new WebSearchRequest { Objective = "anything" });

        Assert.NotEmpty(result.Documents);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), $"retried after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(1, (await host.GetStatsWhenIdleAsync()).RateLimited);
    }

    [Fact]
    public async Task A_permanent_failure_throws_a_typed_error_at_once_without_the_key()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { QuotaExhausted = true });
        var client = new ParallelWebClient(Options(host));

        var search = await Assert.ThrowsAsync<ParallelWebException>(() => client.SearchAsync(new WebSearchRequest { Objective = "anything" }));
        Assert.Equal("search", search.Operation);
        Assert.Equal(429, search.StatusCode);
        Assert.Equal(1, search.Attempts);
        Assert.False(search.IsTransient);
        Assert.Contains("quota", search.Message);
        Assert.DoesNotContain(Key, search.ToString());

        var extract = await Assert.ThrowsAsync<ParallelWebException>(() => client.ExtractAsync(Urls(30)));
        Assert.Equal("extract", extract.Operation);
        Assert.Equal(1, extract.Attempts);
        Assert.DoesNotContain(Key, extract.ToString());
    }

    [Fact]
    public async Task Exhausted_retries_throw_for_a_search_and_become_error_records_for_that_extract_call_only()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var breaker = new BreakingHandler("broken.example");
        var client = new ParallelWebClient(Options(host, breaker, maxAttempts: 3));

        string[] urls = [.. Urls(20), .. Enumerable.Range(0, 5).Select(i => $"https://broken.example/{i}")]; // the third call carries them
        var result = await client.ExtractAsync(urls);

        Assert.Equal(20, result.Documents.Count);
        Assert.Equal(urls[20..], result.Errors.Select(e => e.Url));
        Assert.All(result.Errors, e =>
        {
            Assert.Equal(WebExtractError.CallFailedType, e.ErrorType);
            Assert.Equal(502, e.StatusCode);
            var error = Assert.IsType<ParallelWebException>(e.Exception);
            Assert.Equal(3, error.Attempts);
            Assert.True(error.IsTransient);
        });

        host.UpdateOptions(o => o with { Error500Rate = 1 });
        var search = await Assert.ThrowsAsync<ParallelWebException>(() => client.SearchAsync(new WebSearchRequest { Objective = "anything" }));
        Assert.Equal(500, search.StatusCode);
        Assert.Equal(3, search.Attempts);
        Assert.True(search.IsTransient);
    }

    [Fact]
    public async Task A_hung_call_is_cut_by_the_attempt_timeout_and_retried()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { HangRate = 1, MaxHangMs = 10_000 });
        var client = new ParallelWebClient(new ParallelWebOptions
        {
            BaseAddress = host.BaseAddress,
            ApiKey = Key,
            AttemptTimeout = TimeSpan.FromMilliseconds(300),
            Retry = new SluiceRetryOptions { MaxAttempts = 2, FaultBaseDelay = TimeSpan.FromMilliseconds(1) },
        });

        var error = await Assert.ThrowsAsync<ParallelWebException>(() => client.SearchAsync(new WebSearchRequest { Objective = "anything" }));
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Null(error.StatusCode);
        Assert.Equal(2, error.Attempts);
        Assert.Contains("ParallelWebOptions.AttemptTimeout", error.Message);
    }

    [Fact]
    public void Bad_input_is_refused_before_any_call_with_a_message_that_names_it()
    {
        Assert.Contains("ParallelWebOptions.ApiKey", Assert.Throws<ArgumentException>(() => new ParallelWebClient(new ParallelWebOptions())).Message);
        var client = new ParallelWebClient(new ParallelWebOptions { ApiKey = Key, BaseAddress = new Uri("http://127.0.0.1:9/") });
        Assert.Contains("Objective", Assert.Throws<ArgumentException>(() => { _ = client.SearchAsync(new WebSearchRequest()); }).Message);
        Assert.Contains("urls[1]", Assert.Throws<ArgumentException>(() => { _ = client.ExtractAsync(["https://example.org/", "ftp://example.org/x"]); }).Message);
        Assert.Contains("MaxResults", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.SearchAsync(new WebSearchRequest { Objective = "x", MaxResults = 0 }); }).Message);
    }

    /// <summary>Records the address and headers of each request, then sends it on.</summary>
    private sealed class HeaderRecorder() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly ConcurrentQueue<(Uri Uri, Dictionary<string, string> Headers)> _requests = new();

        public IReadOnlyList<(Uri Uri, Dictionary<string, string> Headers)> Requests => [.. _requests];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests.Enqueue((request.RequestUri!, request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase)));
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Answers 502 to every extract call that carries a URL on <paramref name="host"/>, as a broken gateway
    /// would; the others go to the simulator.</summary>
    private sealed class BreakingHandler(string host) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            return body.Contains(host, StringComparison.Ordinal)
                ? new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("{\"error\":{\"message\":\"bad gateway (test)\"}}"), RequestMessage = request }
                : await base.SendAsync(request, cancellationToken);
        }
    }
}
