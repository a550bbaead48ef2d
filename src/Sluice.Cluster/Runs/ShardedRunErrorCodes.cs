namespace Sluice.Cluster.Runs;

/// <summary>The error codes a sharded run adds to those of <see cref="Sluice.BatchFiles.BatchErrorCodes"/>.</summary>
public static class ShardedRunErrorCodes
{
    /// <summary>Sluice's: the item's shard was abandoned after its lease lapsed
    /// <see cref="ShardedRunOptions.MaxLeaseLapses"/> times in a row (its holders died or failed on it), before the item
    /// had a result; nothing was written for it. Submitting the run again with <see cref="ShardedRunOptions.RetryErrors"/>
    /// sends it.</summary>
    public const string ShardAbandoned = "sluice_shard_abandoned";
}
