namespace Sluice.Cluster.Runs;

/// <summary>How a silo's shard worker looks for work.</summary>
public sealed class ShardWorkerOptions
{
    /// <summary>Gets or sets how long a worker waits before asking for a lease again when runs are listed but none has a
    /// shard free (every shard leased or committed). A worker that finds no run listed at all does not poll: it waits on
    /// the run registry, which answers as soon as a run is submitted.</summary>
    /// <value>Default 250 ms: a shard freed by a lapsed lease or a reopening is taken within a quarter of a second,
    /// for four calls a second per worker without a shard.</value>
    public TimeSpan IdleDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the most items the engine holds in flight per shard (the HTTP client's limit decides how
    /// many are sent).</summary>
    /// <value>Default 512, as <c>sluice run</c>'s engine.</value>
    public int MaxInFlight { get; set; } = 512;

    /// <summary>Gets or sets the most shards a worker runs at once. A worker takes its next shard when the one it runs
    /// has no more items left than a few fills of its lane's concurrency limit (its tail), so the tail drains while the next shard
    /// starts; more than one shard runs at a time only then, or when a tail lasts (a hung request waits for its
    /// timeout).</summary>
    /// <value>Default 2: one shard admitting work, one draining. 1 runs shards strictly one after the other.</value>
    public int MaxShards { get; set; } = 2;
}
