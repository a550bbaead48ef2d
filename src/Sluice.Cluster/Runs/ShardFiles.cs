using System.Globalization;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Where a sharded run keeps its files, all inside the run directory <c>&lt;output&gt;.sluice/</c> of the final output:
/// <c>shards.json</c> (the shard table), and per shard <c>shards/000003/input.jsonl</c> (its lines of the input) and one
/// directory per epoch, <c>shards/000003/epoch-000007/</c>, holding a complete <c>sluice run</c> of the shard
/// (<c>output.jsonl</c>, <c>output.errors.jsonl</c> and its own run directory with journal and manifest).
/// </summary>
internal sealed class ShardFiles
{
    public ShardFiles(string outputPath)
    {
        Run = RunDirectory.ForOutput(outputPath);
    }

    /// <summary>The whole run's directory.</summary>
    public RunDirectory Run { get; }

    public string TablePath => Path.Combine(Run.Path, "shards.json");

    /// <summary>The errors-file lines of the input's invalid lines (<see cref="ShardedRunOptions.SkipInvalid"/>), written
    /// once when the run is split; the final errors file starts with them.</summary>
    public string InvalidLinesErrors => Path.Combine(Run.Path, "invalid-lines.errors.jsonl");

    public string ShardDirectory(int shard) => Path.Combine(Run.Path, "shards", shard.ToString("D6", CultureInfo.InvariantCulture));

    public string ShardInput(int shard) => Path.Combine(ShardDirectory(shard), "input.jsonl");

    public string EpochDirectory(int shard, long epoch) => Path.Combine(ShardDirectory(shard), "epoch-" + epoch.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>The output file of the shard's run under <paramref name="epoch"/>; its run directory sits beside it.</summary>
    public string EpochOutput(int shard, long epoch) => Path.Combine(EpochDirectory(shard, epoch), "output.jsonl");

    /// <summary>The epochs under which the shard has a directory, ascending.</summary>
    public IEnumerable<long> EpochsOf(int shard)
    {
        string directory = ShardDirectory(shard);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateDirectories(directory, "epoch-*")
            .Select(d => long.TryParse(Path.GetFileName(d).AsSpan("epoch-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out long e) ? e : -1)
            .Where(e => e >= 0)
            .Order();
    }
}
