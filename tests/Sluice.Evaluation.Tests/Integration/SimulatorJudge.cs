using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Evaluation.Tests;

/// <summary>
/// A judge client talking to a simulator over real HTTP through Sluice's whole throughput stack
/// (<see cref="OpenAICompatible"/>: retries of transient failures, rate budget, adaptive concurrency, a short attempt timeout).
/// </summary>
internal static class SimulatorJudge
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    public static IChatClient Create(SimulatorHost host) =>
        OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, "sk-test", "gpt-4o-mini", new SluiceClientOptions
        {
            Lanes = new ProviderLaneRegistry(), // a judge of its own: simulator ports are reused from one test to the next
            Retry = { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromSeconds(1) },
            AttemptTimeout = { Timeout = AttemptTimeout },
        });

    /// <summary>
    /// Warms up JIT and connections with a few calls (faults ignored), then zeroes the simulator's counters, so that a
    /// cold first attempt cannot outlast the attempt timeout and be answered twice. The counters are zeroed only once
    /// the simulator has finished recording the warm-up requests, so none of them is counted after the reset.
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
        await host.ResetWhenIdleAsync();
    }
}
