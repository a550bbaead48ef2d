using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Sluice.Cluster.Runs;

namespace Sluice.Cluster.Hosting;

/// <summary>
/// The one way Sluice's silos and clients join a cluster: the same cluster and service ids (<see cref="ClusterId"/>),
/// Redis clustering at a <see cref="SluiceClusterAddress"/>, and a shard worker on every silo.
/// </summary>
public static class SluiceCluster
{
    /// <summary>The Orleans cluster id and service id of a Sluice cluster: <c>sluice</c>.</summary>
    public const string ClusterId = "sluice";

    /// <summary>The default silo-to-silo port: 11111 (Orleans' own default).</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The default gateway port, where clients connect: 30000 (Orleans' own default).</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Makes <paramref name="builder"/> a Sluice silo: Redis clustering at <paramref name="address"/>, the given
    /// endpoints, and a shard worker.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="address">The cluster.</param>
    /// <param name="advertisedAddress">The address other silos and clients reach this one at; <see langword="null"/> for
    /// the address the machine's host name resolves to.</param>
    /// <param name="siloPort">The silo-to-silo port.</param>
    /// <param name="gatewayPort">The gateway port for clients.</param>
    /// <param name="worker">Changes the shard worker's options; may be <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseSluiceCluster(this ISiloBuilder builder, SluiceClusterAddress address, IPAddress? advertisedAddress, int siloPort = DefaultSiloPort, int gatewayPort = DefaultGatewayPort, Action<ShardWorkerOptions>? worker = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(address);
        builder.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = ClusterId;
            options.ServiceId = ClusterId;
        });
        builder.UseRedisClustering(address.RedisConnectionString);
        if (advertisedAddress is null)
        {
            builder.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            builder.ConfigureEndpoints(advertisedAddress, siloPort, gatewayPort, listenOnAnyHostAddress: true);
        }

        return builder.AddShardWorker(worker);
    }

    /// <summary>Makes <paramref name="builder"/> an embedded Sluice cluster: one silo in this process and alone in its
    /// cluster (Orleans' development clustering on loopback, no Redis), without a gateway (its only client is the one
    /// in the same process), with a shard worker. What <c>sluice run --cluster embedded</c> starts: a run goes through
    /// the cluster's coordinator, shard leases, journals and commits on one machine with nothing to deploy.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="siloPort">The loopback port of the silo's own endpoint, which Orleans needs even alone: pick one
    /// no other process uses (two embedded clusters on one machine need two).</param>
    /// <param name="worker">Changes the shard worker's options; may be <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseEmbeddedSluiceCluster(this ISiloBuilder builder, int siloPort, Action<ShardWorkerOptions>? worker = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(siloPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(siloPort, 65535);
        builder.UseLocalhostClustering(siloPort, gatewayPort: 0, serviceId: ClusterId, clusterId: ClusterId);
        return builder.AddShardWorker(worker);
    }

    /// <summary>Tunes Orleans' failure detection so that a killed silo is declared dead within a few seconds (probes time
    /// out after 0.5–1 s, two missed probes and one vote suffice), where Orleans' defaults take about a minute: its shard
    /// leases then go to other silos at once. For a cluster on one fast network (and the tests); on a network with
    /// pauses longer than a second a live silo may be declared dead, and its shards run again elsewhere (fenced, so
    /// the output stays exact, but the work is repeated).</summary>
    /// <param name="builder">The silo builder.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseQuickFailureDetection(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.MinProbeTimeout = TimeSpan.FromMilliseconds(500);
            options.MaxProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.ExtendProbeTimeoutDuringDegradation = false;
            options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        });
        return builder;
    }

    /// <summary>Makes <paramref name="builder"/> a client of the Sluice cluster at <paramref name="address"/>.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="address">The cluster.</param>
    /// <returns>The builder.</returns>
    public static IClientBuilder UseSluiceCluster(this IClientBuilder builder, SluiceClusterAddress address)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(address);
        builder.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = ClusterId;
            options.ServiceId = ClusterId;
        });
        return builder.UseRedisClustering(address.RedisConnectionString);
    }
}
