using Orleans.Runtime;

namespace Sluice.Cluster.Runs;

/// <summary>Where a sharded run stands, as its coordinator sees it.</summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardedRunStatus")]
public sealed record ShardedRunStatus
{
    /// <summary>Gets the run: the full path of its output file.</summary>
    [Id(0)]
    public required string Run { get; init; }

    /// <summary>Gets the number of shards.</summary>
    [Id(1)]
    public required int Shards { get; init; }

    /// <summary>Gets the number of committed shards.</summary>
    [Id(2)]
    public required int Committed { get; init; }

    /// <summary>Gets the leases held now (shards not committed).</summary>
    [Id(3)]
    public required IReadOnlyList<ShardLeaseHolder> Leases { get; init; }

    /// <summary>Gets the highest epoch granted so far.</summary>
    [Id(4)]
    public required long Epoch { get; init; }

    /// <summary>Gets whether the output and errors files are in place.</summary>
    [Id(5)]
    public required bool Finished { get; init; }

    /// <summary>Gets the output file's line count once finished.</summary>
    [Id(6)]
    public long? OutputLines { get; init; }

    /// <summary>Gets the errors file's line count once finished.</summary>
    [Id(7)]
    public long? ErrorLines { get; init; }

    /// <summary>Gets the errors file's full path.</summary>
    [Id(8)]
    public required string ErrorsPath { get; init; }

    /// <summary>Gets the run's item counts: the committed shards' and the running shards' latest reports, summed
    /// (see <see cref="ShardedRunCounts"/> for what a shard run twice counts).</summary>
    [Id(9)]
    public ShardedRunCounts Items { get; init; } = ShardedRunCounts.None;
}

/// <summary>One lease as the coordinator holds it.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Epoch">Its epoch.</param>
/// <param name="Holder">The silo of the worker that holds it.</param>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardLeaseHolder")]
public sealed record ShardLeaseHolder([property: Id(0)] int Shard, [property: Id(1)] long Epoch, [property: Id(2)] SiloAddress Holder);
