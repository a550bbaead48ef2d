namespace Sluice.Cluster.Runs;

/// <summary>The coordinator's answer to a shard's progress report (<see cref="IShardCoordinatorGrain.ReportAsync"/>).</summary>
/// <param name="Valid">Whether the reporting lease still holds the shard (a report from an older epoch is ignored).</param>
/// <param name="SpendElsewhere">What the run's other shards have spent, as committed or last reported: the spend that
/// counts toward <see cref="ShardedRunOptions.MaxCost"/> besides the shard's own.</param>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardReportReply")]
public sealed record ShardReportReply([property: Id(0)] bool Valid, [property: Id(1)] decimal SpendElsewhere);
