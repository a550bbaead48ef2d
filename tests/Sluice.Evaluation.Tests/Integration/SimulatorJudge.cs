using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using Polly;
using Polly.Retry;
using Sluice.Simulator;

namespace Sluice.Evaluation.Tests;

/// <summary>
/// A judge client talking to a simulator over real HTTP: the OpenAI SDK (its own retries off) through M.E.AI's adapter.
/// Retries and a short attempt timeout come from the runner's <see cref="BatchEvalOptions.Resilience"/> pipeline.
/// </summary>
internal static class SimulatorJudge
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    public static IChatClient Create(SimulatorHost host) =>
        new OpenAIClient(
                new ApiKeyCredential("sk-test-not-a-secret"),
                new OpenAIClientOptions { Endpoint = host.OpenAIEndpoint, RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(10) })
            .GetChatClient("gpt-4o-mini")
            .AsIChatClient();

    /// <summary>
    /// Warms up JIT and connections with a few calls (faults ignored), then zeroes the simulator's counters, so that a
    /// cold first attempt cannot outlast the attempt timeout and be answered twice.
    /// </summary>
    public static async Task WarmUpAsync(SimulatorHost host, IChatClient judge)
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await judge.GetResponseAsync($"warm-up {i}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A simulated fault: irrelevant to warming up.
            }
        }));
        host.Reset();
    }

    /// <summary>Retry any failure except the caller's cancellation, up to 10 attempts; each attempt gets <see cref="AttemptTimeout"/>.</summary>
    public static ResiliencePipeline Resilience { get; } = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 9,
            Delay = TimeSpan.FromMilliseconds(5),
            BackoffType = DelayBackoffType.Constant,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ex is not OperationCanceledException),
        })
        .AddTimeout(AttemptTimeout)
        .Build();
}
