using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Starts a shard's new epoch where its earlier epochs left off: the records of every earlier epoch's journal, one per
/// <c>custom_id</c>, become the new epoch's journal, and an earlier manifest its manifest, so the
/// <see cref="BatchFileRunner"/> of the new epoch resumes (<see cref="BatchRunOptions.Resume"/>) and sends only what no
/// earlier holder journalled. Every earlier epoch is read, not only the last, because an epoch whose worker died before
/// seeding holds less than the one before it; a journal still being written by a holder that lost its lease is read
/// up to its last whole line.
/// </summary>
internal static class JournalSeed
{
    public static async Task<int> SeedAsync(ShardFiles files, ShardLease lease, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = RunDirectory.ForOutput(files.EpochOutput(lease.Shard, lease.Epoch));
        if (File.Exists(current.JournalPath))
        {
            return 0;
        }

        var (records, manifest) = await ReadEarlierAsync(files, lease.Shard, lease.Epoch, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return 0;
        }

        current.Create();
        if (manifest is not null)
        {
            File.Copy(manifest, current.ManifestPath, overwrite: true);
        }
        else
        {
            var created = await RunManifest.CreateAsync(files.ShardInput(lease.Shard), lease.Options.ManifestSettings(), time, cancellationToken: cancellationToken).ConfigureAwait(false);
            await created.WriteAsync(current.ManifestPath, cancellationToken).ConfigureAwait(false);
        }

        string temporary = current.JournalPath + ".seed";
        File.Delete(temporary);
        await using (var journal = RunJournal.Open(temporary, new RunJournalOptions { FlushToDisk = lease.Options.FlushToDisk }))
        {
            foreach (var record in records.Values.OrderBy(r => r.InputLine))
            {
                await journal.AppendLineAsync(record.CustomId, record.Outcome, record.InputLine, record.OutputLine, cancellationToken).ConfigureAwait(false);
            }
        }

        File.Move(temporary, current.JournalPath, overwrite: false);
        return records.Count;
    }

    /// <summary>The records of every epoch of <paramref name="shard"/> below <paramref name="epoch"/>, one per
    /// <c>custom_id</c> (the later record wins, but never a failure over a success), and the last earlier manifest.</summary>
    public static async Task<(Dictionary<string, JournalRecord> Records, string? Manifest)> ReadEarlierAsync(ShardFiles files, int shard, long epoch, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, JournalRecord>(StringComparer.Ordinal);
        string? manifest = null;
        foreach (long earlierEpoch in files.EpochsOf(shard).Where(e => e < epoch))
        {
            var earlier = RunDirectory.ForOutput(files.EpochOutput(shard, earlierEpoch));
            if (File.Exists(earlier.ManifestPath))
            {
                manifest = earlier.ManifestPath;
            }

            if (!File.Exists(earlier.JournalPath))
            {
                continue;
            }

            await foreach (var record in RunJournalReader.ReadAsync(earlier.JournalPath, cancellationToken).ConfigureAwait(false))
            {
                // The later record wins, as in one run's journal, except that a failure never replaces a success.
                if (!records.TryGetValue(record.CustomId, out var kept) || kept.Outcome != JournalOutcome.Succeeded || record.Outcome == JournalOutcome.Succeeded)
                {
                    records[record.CustomId] = record;
                }
            }
        }

        return (records, manifest);
    }
}
