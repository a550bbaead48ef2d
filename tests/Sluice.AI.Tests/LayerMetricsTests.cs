using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.AI;

namespace Sluice.AI.Tests;

/// <summary>A stack built from single-layer doors, with no <see cref="UsageLedger"/>, still reports on the <c>Sluice</c> meter.</summary>
public sealed class LayerMetricsTests
{
    [Fact]
    public async Task Requests_429s_retries_queue_wait_and_the_limit_come_from_the_layers_themselves()
    {
        // Instruments are process-wide and other tests run alongside: this client's measurements carry a kind of
        // their own (its own concurrency layer is the only one that records "chat" attempts with this limit).
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Sluice" && instrument.Name.StartsWith("sluice.ai.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => seen.AddOrUpdate(instrument.Name, 1, (_, v) => v + 1));
        listener.Start();

        int calls = 0;
        var inner = new ScriptedChatClient(() => Interlocked.Increment(ref calls) == 1
            ? throw new HttpRequestException("Too many requests.", null, HttpStatusCode.TooManyRequests)
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        using var client = new ChatClientBuilder(inner)
            .UseSluiceRetry(o => { o.BaseDelay = TimeSpan.Zero; o.MaxDelay = TimeSpan.Zero; })
            .UseSluiceRateBudget(o => o.RequestsPerMinute = 60_000)
            .UseSluiceConcurrency(o => o.MaxConcurrency = 3)
            .UseSluiceAttemptTimeout()
            .Build();
        Assert.Null(client.GetService<UsageLedger>());

        await client.GetResponseAsync("hello");
        listener.RecordObservableInstruments();

        Assert.True(seen.GetValueOrDefault("sluice.ai.requests") >= 2, "attempts not counted");
        Assert.True(seen.GetValueOrDefault("sluice.ai.rate_limited") >= 1, "the 429 not counted");
        Assert.True(seen.GetValueOrDefault("sluice.ai.retries") >= 1, "the retry not counted");
        Assert.True(seen.GetValueOrDefault("sluice.ai.queue_wait") >= 2, "queue wait not recorded");
        Assert.True(seen.ContainsKey("sluice.ai.concurrency.limit"), "the limit not recorded");
    }

    private sealed class ScriptedChatClient(Func<ChatResponse> reply) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(reply());

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
