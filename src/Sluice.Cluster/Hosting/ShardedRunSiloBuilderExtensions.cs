using Microsoft.Extensions.DependencyInjection;
using Sluice.Cluster.Runs;

namespace Sluice.Cluster.Hosting;

/// <summary>Sets a silo up for sharded runs.</summary>
public static class ShardedRunSiloBuilderExtensions
{
    /// <summary>Adds the silo's shard worker (a hosted service that takes shard leases and runs them). The coordinator
    /// and registry grains need nothing but this assembly; every silo of a Sluice cluster calls this.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Changes the worker's options; may be <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddShardWorker(this ISiloBuilder builder, Action<ShardWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ShardWorkerOptions>()
            .Validate(o => o.MaxShards >= 1 && o.MaxInFlight >= 1 && o.IdleDelay > TimeSpan.Zero, $"{nameof(ShardWorkerOptions)}: {nameof(ShardWorkerOptions.MaxShards)} and {nameof(ShardWorkerOptions.MaxInFlight)} must be at least 1 and {nameof(ShardWorkerOptions.IdleDelay)} positive.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddHostedService<ShardWorker>();
        return builder;
    }
}
