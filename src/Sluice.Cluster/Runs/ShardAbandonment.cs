using System.Globalization;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Closes a shard that no worker could finish (its lease lapsed <see cref="ShardedRunOptions.MaxLeaseLapses"/> times in
/// a row): writes, under an epoch of its own, the files a finished epoch would have written — each item its earlier
/// epochs journalled with that result, every other item in the errors file with the code
/// <see cref="ShardedRunErrorCodes.ShardAbandoned"/> — in input order, so the run can be assembled and completes.
/// Nothing is sent.
/// </summary>
internal static class ShardAbandonment
{
    public static async Task<ShardedRunCounts> WriteAsync(ShardFiles files, ShardTable table, int shard, long epoch, int lapses, CancellationToken cancellationToken = default)
    {
        var range = table.Ranges[shard];
        string input = files.ShardInput(shard);
        Directory.CreateDirectory(files.EpochDirectory(shard, epoch));
        if (!File.Exists(input))
        {
            await ShardPlan.ExtractAsync(table.Options.InputPath, range, input, cancellationToken).ConfigureAwait(false);
        }

        var (records, _) = await JournalSeed.ReadEarlierAsync(files, shard, epoch, cancellationToken).ConfigureAwait(false);
        string outputPath = files.EpochOutput(shard, epoch);
        string message = string.Create(CultureInfo.InvariantCulture,
            $"shard {shard} (input lines from {range.FirstLine}) was abandoned after its lease lapsed {lapses} times in a row (its workers died or failed on it); this item got no result. Submit the run again with retry-errors to send it.");
        long succeeded = 0, failed = 0;
        await using var output = BatchOutputFile.Create(outputPath);
        await using var errors = BatchOutputFile.Create(RunDirectory.ForOutput(outputPath).DefaultErrorsPath);
        await foreach (var line in new BatchInputReader(input).ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (line.CustomId is not { } id)
            {
                continue;
            }

            if (records.TryGetValue(id, out var record))
            {
                bool success = record.Outcome == JournalOutcome.Succeeded;
                await (success ? output : errors).WriteLineAsync(record.OutputLine, cancellationToken).ConfigureAwait(false);
                _ = success ? succeeded++ : failed++;
            }
            else
            {
                await errors.WriteAsync(BatchResult.FromError(id, new BatchResultError(ShardedRunErrorCodes.ShardAbandoned, message)), cancellationToken).ConfigureAwait(false);
                failed++;
            }
        }

        await output.CommitAsync(cancellationToken).ConfigureAwait(false);
        await errors.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ShardedRunCounts
        {
            Total = range.Lines,
            Done = range.Lines,
            Succeeded = succeeded,
            Failed = failed,
            Cost = table.Options.Price is { } price ? ShardSpend.Of(records.Values, price) : null,
        };
    }
}
