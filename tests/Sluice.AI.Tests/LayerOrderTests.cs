using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.AI.Tests;

/// <summary>The whole stack takes a rate permit only once it holds a slot, just before the request is sent.</summary>
public sealed class LayerOrderTests
{
    [Fact]
    public async Task No_rate_permit_is_taken_while_a_call_waits_for_a_slot()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { RequestsPerMinute = 6_000, BurstSeconds = 1, InitialFill = 1, Headroom = 1 }, time);
        var lane = new ProviderLane("order", budget, new FixedConcurrencyLimit(1), new TokenEstimator(16));
        var inner = new HeldChatClient();
        using var client = new ChatClientBuilder(inner).UseSluiceThroughput(lane, o => o.TimeProvider = time).Build();

        var first = client.GetResponseAsync("first");
        await inner.Entered.Task;                       // the first call holds the only slot and is at the provider
        var second = client.GetResponseAsync("second"); // queues for the slot
        await Task.Yield();

        Assert.False(second.IsCompleted);
        Assert.Equal(1, budget.Snapshot.Granted);       // the waiting call has taken no permit

        inner.Release.SetResult();
        await first;
        await second;
        Assert.Equal(2, budget.Snapshot.Granted);
    }

    private sealed class HeldChatClient : IChatClient
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
