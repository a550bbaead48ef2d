namespace Sluice.Cluster.Runs;

/// <summary>How a silo's shard worker looks for work.</summary>
public sealed class ShardWorkerOptions
{
    /// <summary>Gets or sets how long an idle worker waits before asking for a lease again.</summary>
    /// <value>Default 1 second.</value>
    public TimeSpan IdleDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the most items the engine holds in flight per shard (the HTTP client's limit decides how
    /// many are sent).</summary>
    /// <value>Default 512, as <c>sluice run</c>'s engine.</value>
    public int MaxInFlight { get; set; } = 512;
}
