using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.AI.Tests;

/// <summary>The rate-budget middleware over a client that is not the OpenAI SDK: its 429s arrive as exceptions.</summary>
public sealed class RateBudgetChatClientTests
{
    [Fact]
    public async Task A_429_from_another_client_pauses_the_budget_unless_it_reports_an_exhausted_quota()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 600, BurstSeconds = 1, InitialFill = 1 }, time); // 10 requests at hand: the fake clock never has to move
        var estimator = new TokenEstimator(16);
        var ledger = new UsageLedger();

        Exception failure = new HttpRequestException("insufficient_quota: You exceeded your current quota.", null, HttpStatusCode.TooManyRequests);
        using var client = new RateBudgetChatClient(new ThrowingChatClient(() => failure), budget, estimator, ledger, time, TimeSpan.FromSeconds(30));

        Assert.Same(failure, await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("no credit")));
        Assert.Equal(0, budget.Snapshot.Pauses); // waiting does not cure an exhausted quota
        Assert.Equal(1, ledger.RateLimited);

        failure = new HttpRequestException("Too many requests.", null, HttpStatusCode.TooManyRequests);
        Assert.Same(failure, await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("too fast")));
        Assert.Equal(1, budget.Snapshot.Pauses); // an ordinary 429 holds every caller of the budget
        Assert.Equal(2, ledger.RateLimited);
    }

    [Fact]
    public async Task With_no_tokens_limit_no_tokens_are_estimated_until_the_provider_teaches_one()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 600, BurstSeconds = 1, InitialFill = 1 }, time);
        using var client = new RateBudgetChatClient(new AnsweringChatClient(), budget, new TokenEstimator(16), time);

        await client.GetResponseAsync("a prompt of several words");
        Assert.False(budget.BudgetsTokens);
        Assert.Equal(0, budget.Snapshot.EstimatedTokens); // nothing estimated: no tokenizer needed
        Assert.Equal(21, budget.Snapshot.ActualTokens);   // usage is still settled

        budget.Observe(RateLimitHeaders.Parse(name => name == "x-ratelimit-limit-tokens" ? "600000" : null)!);
        Assert.True(budget.BudgetsTokens);
        await client.GetResponseAsync("a prompt of several words");
        Assert.True(budget.Snapshot.EstimatedTokens > 0, "a learned tokens limit is budgeted with estimates");
    }

    private sealed class AnsweringChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 1 } });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class ThrowingChatClient(Func<Exception> failure) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromException<ChatResponse>(failure());

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw failure();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
