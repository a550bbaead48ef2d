using Microsoft.Extensions.DependencyInjection;
using Sluice.AI;
using Sluice.Cluster.Tests.Runs;
using Sluice.Simulator;
using Sluice.Testing;

namespace Sluice.Cluster.Tests.Budgets;

/// <summary>The silo that holds a lane's budget grain dies mid-run: the grain comes back on another silo with no
/// memory of the leases, learns them from the holders, and the limit holds throughout.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BudgetGrainFailoverTests
{
    private const int Rpm = 1_200;

    [Fact]
    public async Task The_limit_holds_when_the_silo_holding_the_budget_grain_dies()
    {
        await using var cluster = await ThreeSiloCluster.StartAsync(); // failure detection tuned: a killed silo is dead within seconds
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });

        // Holder 2 asks first, so the grain lives on silo 2 (prefer-local), the silo that will die.
        var holders = new (HttpClient Client, ProviderLane Lane)[3];
        foreach (int h in new[] { 2, 0, 1 })
        {
            var grains = cluster.GetSiloServiceProvider(cluster.Silos[h].SiloAddress).GetRequiredService<IGrainFactory>();
            var options = new SluiceClientOptions
            {
                RateBudget = { RequestsPerMinute = Rpm, Leaser = new OrleansCapacityLeaser(grains) },
                Concurrency = { MaxConcurrency = 8 },
                Lanes = new ProviderLaneRegistry(),
            };
            var (client, handler) = OpenAICompatible.CreateHttpClient(simulator.OpenAIEndpoint, "sk-failover", "gpt-4o-mini", options);
            holders[h] = (client, handler.Lane);
            while (((SharedRateBudget)handler.Lane.Budget).Lease is null)
            {
                await Task.Delay(20);
            }
        }

        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var budgetGrain = cluster.Client.GetGrain<ICapacityGrain>(holders[0].Lane.Name);
        var dying = cluster.Silos[2];
        var before = await management.GetActivationAddress(budgetGrain);
        Assert.Equal(dying.SiloAddress, before);

        simulator.Reset();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(32));
        using var dead = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var senders = Enumerable.Range(0, 3).SelectMany(h => Enumerable.Range(0, 8).Select(w =>
            ChatLoad.SendUntilAsync(holders[h].Client, $"h{h} w{w}", h == 2 ? dead.Token : stop.Token))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(10));
        dead.Cancel(); // the holder on silo 2 dies with its silo
        await cluster.KillSiloAsync(dying);
        await Task.WhenAll(senders);
        var stats = await simulator.GetStatsWhenIdleAsync(TimeSpan.FromSeconds(10));
        foreach (var (client, lane) in holders)
        {
            lane.Budget.Dispose();
            client.Dispose();
        }

        var after = await management.GetActivationAddress(budgetGrain);
        Assert.NotNull(after);
        Assert.NotEqual(dying.SiloAddress, after); // it came back elsewhere

        long[] perSecond = stats.PerSecond[..^1];
        string seconds = string.Join(",", perSecond);
        Assert.True(perSecond.Max() <= Rpm / 60.0 * 1.5, $"a second saw {perSecond.Max()} requests (limit {Rpm / 60}/s). Per second: {seconds}");
        for (int s = 0; s + 10 <= perSecond.Length; s++)
        {
            long window = perSecond.Skip(s).Take(10).Sum();
            Assert.True(window <= Rpm / 6.0 * 1.05, $"the 10 s from second {s} saw {window} requests (limit {Rpm / 6}). Per second: {seconds}");
        }

        long lastEight = perSecond[^8..].Sum();
        Assert.True(lastEight >= Rpm / 60.0 * 8 * 0.8, $"the two holders left used {lastEight} of {Rpm / 60 * 8} in the last 8 s. Per second: {seconds}");
    }
}
