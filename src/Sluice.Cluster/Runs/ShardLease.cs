namespace Sluice.Cluster.Runs;

/// <summary>
/// The right to run one shard, granted by the run's coordinator to one worker: valid while its <see cref="Epoch"/> is
/// the shard's current epoch. It lapses when the holder stops renewing for <see cref="ShardedRunOptions.LeaseDuration"/>
/// or its silo is declared dead; the shard then goes to another worker with a higher epoch, and a commit under this
/// epoch is rejected.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardLease")]
public sealed record ShardLease
{
    /// <summary>Gets the run: the full path of its output file.</summary>
    [Id(0)]
    public required string Run { get; init; }

    /// <summary>Gets the shard's index (0-based, in input order).</summary>
    [Id(1)]
    public required int Shard { get; init; }

    /// <summary>Gets the lease's epoch: unique in the run and higher than every epoch granted before it.</summary>
    [Id(2)]
    public required long Epoch { get; init; }

    /// <summary>Gets where the shard starts in the input file (bytes).</summary>
    [Id(3)]
    public required long Offset { get; init; }

    /// <summary>Gets the shard's length in the input file (bytes).</summary>
    [Id(4)]
    public required long Length { get; init; }

    /// <summary>Gets the input line number of the shard's first line (1-based).</summary>
    [Id(5)]
    public required long FirstLine { get; init; }

    /// <summary>Gets the run's settings.</summary>
    [Id(6)]
    public required ShardedRunOptions Options { get; init; }

    /// <summary>Gets the input line numbers inside the shard that it leaves out (invalid lines of a run with
    /// <see cref="ShardedRunOptions.SkipInvalid"/>).</summary>
    /// <value>Default <see langword="null"/>: none.</value>
    [Id(7)]
    public long[]? Skipped { get; init; }

    /// <summary>Gets what the run's other shards had spent when the lease was granted (see
    /// <see cref="ShardedRunOptions.MaxCost"/>); the holder's progress reports bring it up to date.</summary>
    [Id(8)]
    public decimal SpendElsewhere { get; init; }

    /// <summary>The shard's range.</summary>
    internal ShardRange Range => new(Offset, Length, FirstLine, 0, Skipped);
}
