using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Rag.Tests;

/// <summary>Tree summarize for many queries against the simulator over real HTTP on 127.0.0.1, through Sluice's
/// OpenAI-compatible client, with the provider limited in concurrency and requests per minute.</summary>
public sealed class TreeSummarizeSimulatorTests(TopicCorpus corpus) : IClassFixture<TopicCorpus>
{
    private const int Concurrency = 6;

    // The client runs one below the provider's limit: the simulator counts a request until it has written the last byte,
    // and the client may start its next request on reading that byte, so a client at exactly the limit can be counted
    // one over it for an instant.
    private const int ClientConcurrency = Concurrency - 1;
    private const int RequestsPerMinute = 3_000;

    [Fact]
    public async Task Fifty_queries_stay_within_the_providers_limits_and_every_query_gets_an_answer()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 20,
            JitterMs = 5,
            Capacity = Concurrency,
            RequestsPerMinute = RequestsPerMinute,
            BurstSeconds = 1, // the provider holds one second of requests: a burst above 50/s meets a 429
        });
        var chat = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, "sk-sluice-test-key", "gpt-4o-mini", new SluiceClientOptions
        {
            Lanes = new ProviderLaneRegistry(),
            Concurrency = { MaxConcurrency = ClientConcurrency },
            RateBudget = { RequestsPerMinute = RequestsPerMinute },
        });
        // 8 passages of ~35 tokens and ~120 tokens of room per prompt: 3 leaf summaries, then the root, per query.
        var synthesizer = new TreeSummarizeSynthesizer(chat, new SynthesizerOptions { ContextTokens = 200, OutputTokens = 24, MaxConcurrency = 4 });
        var retriever = new VectorRetriever(corpus.Index, corpus.Generator, new RetrieverOptions { TopK = 8 });
        var engine = new QueryEngine(retriever, synthesizer, new QueryEngineOptions { MaxConcurrency = 10 }); // wants up to 40 calls at once
        string[] queries = [.. Enumerable.Range(0, 50).Select(i => $"{TopicCorpus.Questions[i % TopicCorpus.Questions.Length].Query} (asked by reader {i})")];

        var results = new List<ItemResult<string, QueryAnswer>>();
        await foreach (var result in engine.QueryManyAsync(queries))
        {
            results.Add(result);
        }

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.Equal(50, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.All(results, r => Assert.True(r.Value!.Generated));
        Assert.All(results, r => Assert.False(string.IsNullOrWhiteSpace(r.Value!.Response.Response)));
        Assert.Equal(queries, results.Select(r => r.Input));

        Assert.Equal(0, stats.RateLimited);
        Assert.True(stats.PeakInFlight <= Concurrency, $"peak in flight {stats.PeakInFlight}");
        Assert.True(stats.Requests >= 50 * 3, $"{stats.Requests} requests: the trees had fewer than two levels");
        Assert.Equal(stats.Requests, stats.ByEndpoint["chat"]["200"]);
        var ledger = chat.GetService<UsageLedger>()!;
        Assert.Equal(stats.Requests, ledger.Attempts);
        Assert.Equal(0, ledger.Retries);
    }
}
