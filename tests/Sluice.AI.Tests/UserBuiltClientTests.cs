using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenAI;
using Sluice.Simulator;

namespace Sluice.AI.Tests;

/// <summary>
/// A client the user built with the OpenAI SDK (not through <see cref="OpenAICompatible"/>), wrapped with
/// <c>UseSluiceThroughput</c>: its 429s reach the budget layer as <see cref="ClientResultException"/>s, and they must
/// pause the lane exactly as the factory's clients do.
/// </summary>
public sealed class UserBuiltClientTests
{
    private const string Key = "sk-user-built";

    [Fact]
    public async Task A_429_from_a_user_built_SDK_chat_client_holds_every_call_on_the_lane_for_its_Retry_After()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var recorder = new RecordingHandler();
        var lane = ProviderLane.Create("user-built chat", new SluiceClientOptions { Concurrency = { MaxConcurrency = 16 } });
        IChatClient client = new ChatClientBuilder(Sdk(host, recorder).GetChatClient("gpt-4o-mini").AsIChatClient())
            .UseSluiceThroughput(lane, FastRetries)
            .Build();

        await AssertNothingIsSentDuringThePauseAsync(host, recorder, lane, i => client.GetResponseAsync($"caller {i}"));
    }

    [Fact]
    public async Task A_429_from_a_user_built_SDK_embedding_generator_holds_every_call_on_the_lane_for_its_Retry_After()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var recorder = new RecordingHandler();
        var lane = ProviderLane.Create("user-built embeddings", new SluiceClientOptions { Concurrency = { MaxConcurrency = 16 } });
        var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(Sdk(host, recorder).GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator())
            .UseSluiceThroughput(lane, FastRetries)
            .Build();

        await AssertNothingIsSentDuringThePauseAsync(host, recorder, lane, i => generator.GenerateAsync([$"text {i}"]));
    }

    private static void FastRetries(SluiceClientOptions options)
    {
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.MaxAttempts = 10;
    }

    /// <summary>The SDK as a user builds it, with its own retries off (as docs/throughput.md says) so that a 429 reaches Sluice.</summary>
    private static OpenAIClient Sdk(SimulatorHost host, RecordingHandler recorder) =>
        new(new ApiKeyCredential(Key), new OpenAIClientOptions
        {
            Endpoint = host.OpenAIEndpoint,
            RetryPolicy = new ClientRetryPolicy(0),
            Transport = new HttpClientPipelineTransport(new HttpClient(recorder)),
        });

    private static async Task AssertNothingIsSentDuringThePauseAsync(
        SimulatorHost host, RecordingHandler recorder, ProviderLane lane, Func<int, Task> call)
    {
        await call(-1); // warm-up: connections and the tokenizer
        host.ForceRateLimit(1, TimeSpan.FromSeconds(1));
        var first = call(0);
        var waited = Stopwatch.StartNew();
        while (lane.Budget.Snapshot.Pauses == 0) // the 429 has paused the lane: the others now meet the pause
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the 429 never paused the lane");
            await Task.Delay(1);
        }

        var others = Enumerable.Range(1, 10).Select(call).ToList();
        await first;
        await Task.WhenAll(others);

        Assert.Equal(1, lane.Budget.Snapshot.Pauses); // exactly one pause for one 429
        var exchanges = recorder.Exchanges;
        double limited = exchanges.Single(e => e.Status == 429).ReceivedMs;
        var after = exchanges.Where(e => e.Status == 200 && e.SentMs > limited).ToList();
        Assert.Equal(11, after.Count); // the retried first call and the ten others
        Assert.All(after, e => Assert.True(e.SentMs >= limited + 1000, $"sent {e.SentMs - limited:0.0} ms after the 429"));
    }
}
