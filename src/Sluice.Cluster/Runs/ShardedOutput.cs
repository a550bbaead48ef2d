using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Writes a finished sharded run's output and errors files: each shard's committed epoch wrote its own files in input
/// order (one line per <c>custom_id</c>, by the same <see cref="BatchFileRunner"/> a <c>sluice run --ordered</c> uses),
/// and the shards cover the input in order without overlap, so their files concatenated in shard order are the run's
/// files in input order, each <c>custom_id</c> once, even when a shard ran under several epochs (only the committed
/// epoch's files are read). Written to temporary files renamed into place: running it again writes the same files.
/// </summary>
internal static class ShardedOutput
{
    public static async Task<(long Output, long Errors)> WriteAsync(ShardTable table, ShardFiles files, CancellationToken cancellationToken = default)
    {
        string errorsPath = table.Options.ErrorsPath is { } errors ? Path.GetFullPath(errors) : files.Run.DefaultErrorsPath;
        var epochs = new List<(int Shard, long Epoch)>();
        for (int shard = 0; shard < table.Count; shard++)
        {
            var committed = table[shard].Committed ?? throw new InvalidOperationException($"Shard {shard} of {table.Run} is not committed: the output cannot be assembled yet.");
            epochs.Add((shard, committed));
        }

        long outputLines = await ConcatenateAsync(files.Run.OutputPath, epochs.Select(e => files.EpochOutput(e.Shard, e.Epoch)), cancellationToken).ConfigureAwait(false);
        // The invalid lines (a run with SkipInvalid) first, in input order, then each shard's failures in input order.
        var errorParts = epochs.Select(e => RunDirectory.ForOutput(files.EpochOutput(e.Shard, e.Epoch)).DefaultErrorsPath);
        if (File.Exists(files.InvalidLinesErrors))
        {
            errorParts = errorParts.Prepend(files.InvalidLinesErrors);
        }

        long errorLines = await ConcatenateAsync(errorsPath, errorParts, cancellationToken).ConfigureAwait(false);
        return (outputLines, errorLines);
    }

    /// <summary>Copies the files' bytes one after another (each line is already in OpenAI's output shape with its line
    /// end), counts the lines, and renames the result into place.</summary>
    private static async Task<long> ConcatenateAsync(string path, IEnumerable<string> parts, CancellationToken cancellationToken)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.partial";
        long lines = 0;
        try
        {
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                foreach (string part in parts)
                {
                    await using var source = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        lines += buffer.AsSpan(0, read).Count((byte)'\n');
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }

                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return lines;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
