using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Sluice.Cluster.Hosting;

namespace Sluice.Cluster.Tests.Runs;

/// <summary>The sharded-run tests run one at a time: each starts three silos and a simulator on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "three silos";
}

/// <summary>Three in-process silos with shard workers and failure detection tuned so that a killed silo is declared
/// dead within a few seconds (<see cref="SluiceCluster.UseQuickFailureDetection"/>).</summary>
internal static class ThreeSiloCluster
{
    /// <summary>The items each shard's engine holds at once (a worker runs up to two shards; what it sends is bounded by
    /// its lane's concurrency limit, the run's <c>MaxConcurrency</c>).</summary>
    public const int MaxInFlight = 16;

    public static async Task<TestCluster> StartAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<ShardSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class ShardSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddShardWorker(options =>
            {
                options.IdleDelay = TimeSpan.FromMilliseconds(100);
                options.MaxInFlight = MaxInFlight;
            });
            siloBuilder.UseQuickFailureDetection();
        }
    }
}
