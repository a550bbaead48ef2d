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
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

    public static IChatClient Create(SimulatorHost host) =>
        new OpenAIClient(
                new ApiKeyCredential("sk-test-not-a-secret"),
                new OpenAIClientOptions { Endpoint = host.OpenAIEndpoint, RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(10) })
            .GetChatClient("gpt-4o-mini")
            .AsIChatClient();

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
