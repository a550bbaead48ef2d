using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Sluice.AI;

namespace Sluice.Cluster.Tests.Budgets;

/// <summary>Three silos in one process (Orleans' test host); holder <c>i</c> draws through silo <c>i mod 3</c>, so the
/// budget grain serves callers on every silo, itself on one of them.</summary>
public sealed class BudgetCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public IGrainFactory GrainsOn(int silo)
    {
        var handle = Cluster.Silos[silo % Cluster.Silos.Count];
        return Cluster.GetSiloServiceProvider(handle.SiloAddress).GetRequiredService<IGrainFactory>();
    }
}

/// <summary>The contract on the cluster's budget grain.</summary>
public sealed class OrleansBudgetContractTests(BudgetCluster cluster) : BudgetContract, IClassFixture<BudgetCluster>
{
    protected override CapacityLeaser? LeaserFor(int holder) => new OrleansCapacityLeaser(cluster.GrainsOn(holder));
}
