using Orleans.Concurrency;
using Orleans.Runtime;

namespace Sluice.Cluster.Runs;

/// <summary>
/// One per sharded run, keyed by the full path of the run's output file: holds the shard table and hands shard leases
/// to workers. The table (shards, epochs, holders, commits) lives in the run directory, written before each answer that
/// depends on it, so a coordinator reactivated on another silo carries on with it, never with a smaller epoch.
/// </summary>
[Alias("Sluice.Cluster.Runs.IShardCoordinatorGrain")]
public interface IShardCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Splits the input into shards and records the table; a run already recorded with the same options
    /// continues (nothing committed runs again), with the settings a later submission may change
    /// (<see cref="ShardedRunOptions.RetryErrors"/>, <see cref="ShardedRunOptions.CacheDirectory"/>,
    /// <see cref="ShardedRunOptions.MaxCost"/>, <see cref="ShardedRunOptions.Price"/>) taken from <paramref name="options"/>: with
    /// <see cref="ShardedRunOptions.RetryErrors"/> every committed shard with lines in its errors file runs again, and
    /// with another <see cref="ShardedRunOptions.MaxCost"/> every committed shard that left items unsent.</summary>
    /// <param name="options">The run.</param>
    /// <returns>The status.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or differ from those the run was recorded with.</exception>
    [Alias("Start")]
    Task<ShardedRunStatus> StartAsync(ShardedRunOptions options);

    /// <summary>A lease on the first shard that is neither committed nor validly leased, for a worker on
    /// <paramref name="holder"/>.</summary>
    /// <param name="holder">The worker's silo.</param>
    /// <returns>The lease, or <see langword="null"/> when no shard is free now.</returns>
    [Alias("Acquire")]
    Task<ShardLease?> AcquireAsync(SiloAddress holder);

    /// <summary>Extends a lease by <see cref="ShardedRunOptions.LeaseDuration"/>.</summary>
    /// <param name="shard">The shard.</param>
    /// <param name="epoch">The lease's epoch.</param>
    /// <returns>Whether the lease is still valid: <see langword="false"/> tells the holder to stop.</returns>
    [Alias("Renew")]
    Task<bool> RenewAsync(int shard, long epoch);

    /// <summary>Takes the counts of a shard's run from the holder of <paramref name="epoch"/> (twice a second),
    /// for <see cref="ShardedRunStatus.Items"/>; a report from an epoch that no longer holds the shard is ignored.</summary>
    /// <param name="shard">The shard.</param>
    /// <param name="epoch">The lease's epoch.</param>
    /// <param name="counts">The shard's counts now.</param>
    /// <returns>Whether the lease is still valid, and what the other shards have spent.</returns>
    [Alias("Report")]
    Task<ShardReportReply> ReportAsync(int shard, long epoch, ShardedRunCounts counts);

    /// <summary>Gives a lease back without committing (the worker is stopping); the shard is free at once.</summary>
    /// <param name="shard">The shard.</param>
    /// <param name="epoch">The lease's epoch.</param>
    /// <returns>A task that completes when released.</returns>
    [Alias("Release")]
    Task ReleaseAsync(int shard, long epoch);

    /// <summary>Makes the shard's output under <paramref name="epoch"/> final, if that epoch is the shard's current one.</summary>
    /// <param name="shard">The shard.</param>
    /// <param name="epoch">The epoch whose output is committed.</param>
    /// <param name="counts">The epoch's final counts, kept with the commit.</param>
    /// <returns>Whether it was committed; committing the committed epoch again answers
    /// <see cref="ShardCommitOutcome.Committed"/>.</returns>
    [Alias("Commit")]
    Task<ShardCommitOutcome> CommitAsync(int shard, long epoch, ShardedRunCounts counts);

    /// <summary>The run's status; once every shard is committed, the final files are assembled.</summary>
    /// <returns>The status, or <see langword="null"/> when no run is recorded under this key.</returns>
    [Alias("GetStatus")]
    Task<ShardedRunStatus?> GetStatusAsync();

    /// <summary>The run's status once its final files are in place or, while they are not, after
    /// <paramref name="longest"/>, whichever comes first: a follower learns of the run's end as soon as the files are
    /// written, not at its next poll. Interleaved with the coordinator's other calls, so a waiting follower never holds
    /// up a grant or a commit.</summary>
    /// <param name="longest">The longest wait; <see cref="TimeSpan.Zero"/> answers at once, as
    /// <see cref="GetStatusAsync"/>. Keep it well under the cluster's response timeout (30 s by default).</param>
    /// <returns>The status, or <see langword="null"/> when no run is recorded under this key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="longest"/> is negative.</exception>
    [Alias("WaitForStatus")]
    [AlwaysInterleave]
    Task<ShardedRunStatus?> WaitForStatusAsync(TimeSpan longest);
}
