using System.Text.Json.Serialization;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Item counts of a shard, or of a whole sharded run summed over its shards: what a worker reports to the coordinator
/// about the shard it runs (twice a second, and with its commit), and what <see cref="ShardedRunStatus.Items"/>
/// adds up for the run.
/// </summary>
/// <remarks>A committed shard counts what its committing epoch reported: its <see cref="Done"/> is every line of the
/// shard, but <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Retries"/>, <see cref="RateLimited"/> and the
/// tokens are that epoch's own; what an earlier epoch of the shard did before its lease was lost is in
/// <see cref="Done"/> only, and in <see cref="Cost"/>, which is the shard's whole spend.</remarks>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardedRunCounts")]
public sealed record ShardedRunCounts
{
    /// <summary>No items: the counts of a shard nobody has run yet.</summary>
    public static readonly ShardedRunCounts None = new();

    /// <summary>Gets the items: the shard's (or the run's) request lines.</summary>
    [Id(0)]
    public long Total { get; init; }

    /// <summary>Gets the items with a final result in a journal, earlier epochs' included.</summary>
    [Id(1)]
    public long Done { get; init; }

    /// <summary>Gets the items completed with a success.</summary>
    [Id(2)]
    public long Succeeded { get; init; }

    /// <summary>Gets the items completed with a failure.</summary>
    [Id(3)]
    public long Failed { get; init; }

    /// <summary>Gets the items being worked on now.</summary>
    [Id(4)]
    public long InFlight { get; init; }

    /// <summary>Gets the attempts retried.</summary>
    [Id(5)]
    public long Retries { get; init; }

    /// <summary>Gets the 429 responses received.</summary>
    [Id(6)]
    public long RateLimited { get; init; }

    /// <summary>Gets the input tokens the provider reported for the successes.</summary>
    [Id(7)]
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens the provider reported for the successes.</summary>
    [Id(8)]
    public long OutputTokens { get; init; }

    /// <summary>Gets the concurrency limit of the HTTP clients running the items: a shard's lane limit on its worker,
    /// or, for a run, the sum over the workers running it (shards on one worker share its lane).</summary>
    [Id(9)]
    public int ConcurrencyLimit { get; init; }

    /// <summary>Gets the items not sent because the run's cost limit was reached
    /// (<see cref="ShardedRunOptions.MaxCost"/>).</summary>
    [Id(10)]
    public long NotSent { get; init; }

    /// <summary>Gets the requests answered from the response cache (<see cref="ShardedRunOptions.CacheDirectory"/>).</summary>
    [Id(11)]
    public long CacheHits { get; init; }

    /// <summary>Gets the spend in dollars by <see cref="ShardedRunOptions.Price"/>, from the usage the provider reported:
    /// a shard's counts it over all its epochs (what earlier holders journalled included), so the run's is the whole
    /// spend; <see langword="null"/> when unknown (no price). Written to <c>shards.json</c> even when
    /// <see langword="null"/>: left out, it would be read back as the initial 0 and an unpriced run would show $0.</summary>
    [Id(12)]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? Cost { get; init; } = 0m;

    /// <summary>Gets the request latencies counted in the buckets of <see cref="LatencyHistogram.BoundsMilliseconds"/>
    /// (one count per bucket, plus one for those above the last bound), as <see cref="RunTimeline.Latency"/> counts them
    /// for a local run: a shard's, read from its committing epoch's timeline and sent with its commit; a run's, summed
    /// over its committed shards, so over all its workers. <see langword="null"/> when none is known (no shard
    /// committed yet; running shards report none).</summary>
    /// <remarks>As with <see cref="Succeeded"/>, a shard that ran under several epochs counts the latencies of the epoch
    /// that committed it.</remarks>
    [Id(13)]
    public IReadOnlyList<long>? RequestLatency { get; init; }

    /// <summary>The request latency that <paramref name="fraction"/> of the requests took at most, read off
    /// <see cref="RequestLatency"/> (the upper bound of the bucket where the share is reached, as <c>sluice report</c>
    /// reads a local run's).</summary>
    /// <param name="fraction">The share, from 0 to 1: 0.5 for the median, 0.99 for p99.</param>
    /// <returns>The latency, or <see langword="null"/> when no latency is known.</returns>
    public TimeSpan? RequestLatencyAtMost(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        return ShardLatency.Percentile(RequestLatency, fraction) is { } ms ? (double.IsInfinity(ms) ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ms)) : null;
    }

    /// <summary>The counts of a shard's run at one moment.</summary>
    /// <param name="snapshot">The shard's <see cref="BatchFileRunner.Snapshot"/>.</param>
    /// <returns>The counts.</returns>
    public static ShardedRunCounts Of(BatchRunSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new ShardedRunCounts
        {
            Total = snapshot.Total ?? 0,
            Done = snapshot.Done,
            Succeeded = snapshot.Succeeded,
            Failed = snapshot.Failed,
            InFlight = snapshot.InFlight,
            Retries = snapshot.Retries,
            RateLimited = snapshot.RateLimited,
            InputTokens = snapshot.InputTokens,
            OutputTokens = snapshot.OutputTokens,
            ConcurrencyLimit = snapshot.ConcurrencyLimit,
            NotSent = snapshot.NotSent,
            CacheHits = snapshot.CacheHits,
            Cost = snapshot.Cost,
        };
    }

    /// <summary>These counts as a follower of the run shows them and writes them to <c>summary.json</c>, in the shape
    /// of a local run's (<see cref="BatchRunSnapshot"/>): what was done before it started following is
    /// <see cref="BatchRunSnapshot.Resumed"/>, the rest is counted from <paramref name="since"/>, as a local
    /// <c>--resume</c> counts its own session.</summary>
    /// <param name="since">The counts when following started (<see cref="None"/> for a run followed from its start).</param>
    /// <param name="elapsed">The time since following started.</param>
    /// <returns>The snapshot.</returns>
    public BatchRunSnapshot ToSnapshot(ShardedRunCounts since, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(since);
        return new BatchRunSnapshot
        {
            Total = Total,
            Resumed = Math.Min(since.Done, Done),
            Done = Done,
            Succeeded = Math.Max(0, Succeeded - since.Succeeded),
            Failed = Math.Max(0, Failed - since.Failed),
            InFlight = InFlight,
            ConcurrencyLimit = ConcurrencyLimit,
            Retries = Math.Max(0, Retries - since.Retries),
            RateLimited = Math.Max(0, RateLimited - since.RateLimited),
            InputTokens = Math.Max(0, InputTokens - since.InputTokens),
            OutputTokens = Math.Max(0, OutputTokens - since.OutputTokens),
            NotSent = NotSent,
            CacheHits = Math.Max(0, CacheHits - since.CacheHits),
            Cost = Cost is { } cost && since.Cost is { } before ? Math.Max(0, cost - before) : null,
            Elapsed = elapsed,
        };
    }

    /// <summary>The sum of these counts and <paramref name="right"/> (the concurrency limits too: callers add one
    /// limit per worker).</summary>
    internal ShardedRunCounts Plus(ShardedRunCounts right)
    {
        var left = this;
        return new ShardedRunCounts
        {
            Total = left.Total + right.Total,
            Done = left.Done + right.Done,
            Succeeded = left.Succeeded + right.Succeeded,
            Failed = left.Failed + right.Failed,
            InFlight = left.InFlight + right.InFlight,
            Retries = left.Retries + right.Retries,
            RateLimited = left.RateLimited + right.RateLimited,
            InputTokens = left.InputTokens + right.InputTokens,
            OutputTokens = left.OutputTokens + right.OutputTokens,
            ConcurrencyLimit = left.ConcurrencyLimit + right.ConcurrencyLimit,
            NotSent = left.NotSent + right.NotSent,
            CacheHits = left.CacheHits + right.CacheHits,
            Cost = left.Cost is { } a && right.Cost is { } b ? a + b : null,
            RequestLatency = ShardLatency.Sum(left.RequestLatency, right.RequestLatency),
        };
    }
}
