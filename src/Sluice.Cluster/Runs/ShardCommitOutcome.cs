namespace Sluice.Cluster.Runs;

/// <summary>What the coordinator answered to a shard's commit.</summary>
public enum ShardCommitOutcome
{
    /// <summary>The shard's output under this epoch is final (also when the same epoch commits again).</summary>
    Committed,

    /// <summary>The epoch is not the shard's current one (the lease lapsed and the shard went to another worker, or
    /// another epoch committed it): this output is discarded.</summary>
    Rejected,
}
