using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using Sluice.Simulator;

namespace Sluice.AI.Tests;

/// <summary>The grouping layer over the throughput stack against Sluice.Simulator over real HTTP on 127.0.0.1. The
/// simulator rejects a request of more than 2,048 inputs with an HTTP 400 that says so (it has no tokens-per-request
/// or tokens-per-input limit for embeddings; those are tested against the scripted provider).</summary>
public sealed class GroupingIntegrationTests
{
    private const string Key = "sk-sluice-grouping";

    [Fact]
    public async Task Groups_the_simulator_rejects_as_too_large_are_split_and_every_embedding_comes_back_in_input_order()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 11 });
        var sdk = new OpenAIClient(new ApiKeyCredential(Key), new OpenAIClientOptions
        {
            Endpoint = host.OpenAIEndpoint,
            RetryPolicy = new ClientRetryPolicy(0),
        }).GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator();
        var lane = ProviderLane.Create("grouping", new SluiceClientOptions());
        var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(sdk)
            .UseSluiceGrouping(o =>
            {
                o.MaxInputsPerRequest = 4_096; // more than the simulator takes: it answers 400 "at most 2048 inputs"
                o.GroupSize = o.GroupSize with { InitialSize = 3_000, MinSize = 3_000, MaxSize = 3_000 };
                o.MaxConcurrentGroups = 2;
            })
            .UseSluiceThroughput(lane, o => o.Retry.BaseDelay = TimeSpan.FromMilliseconds(5))
            .Build();
        string[] texts = [.. Enumerable.Range(0, 5_000).Select(i => $"passage {i} about item {i % 97}")];
        var options = new EmbeddingGenerationOptions { Dimensions = 8 };

        var embeddings = await generator.GenerateAsync(texts, options);

        Assert.Equal(5_000, embeddings.Count);
        foreach (int i in new[] { 0, 1, 1_499, 1_500, 2_047, 2_048, 2_999, 3_000, 4_999 })
        {
            var alone = await sdk.GenerateAsync([texts[i]], options);
            Assert.Equal(alone[0].Vector.ToArray(), embeddings[i].Vector.ToArray());
        }

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.True(stats.Requests > 2, $"{stats.Requests} requests");
        Assert.True(embeddings.Usage?.InputTokenCount > 5_000);
    }
}
