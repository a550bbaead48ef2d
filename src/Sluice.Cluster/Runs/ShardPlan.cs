namespace Sluice.Cluster.Runs;

/// <summary>One shard: a range of whole lines of the input file.</summary>
/// <param name="Offset">Where it starts (bytes).</param>
/// <param name="Length">Its length (bytes), the line end of its last line included.</param>
/// <param name="FirstLine">The input line number of its first line (1-based; blank lines count, as in <c>sluice run</c>).</param>
/// <param name="Lines">The non-blank lines it holds.</param>
internal readonly record struct ShardRange(long Offset, long Length, long FirstLine, int Lines);

/// <summary>Cuts an input file into shards of <see cref="ShardedRunOptions.ShardLines"/> non-blank lines, in one
/// streaming pass that records byte offsets, so a worker seeks to its shard instead of reading what comes before it.</summary>
internal static class ShardPlan
{
    public static async Task<List<ShardRange>> SplitAsync(string inputPath, int linesPerShard, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerShard);
        var shards = new List<ShardRange>();
        await using var stream = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = new byte[1 << 16];
        long position = 0, shardStart = 0, lineNumber = 1, shardFirstLine = 1;
        int shardLines = 0;
        bool lineHasContent = false;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'\n')
                {
                    if (lineHasContent)
                    {
                        shardLines++;
                    }

                    lineHasContent = false;
                    lineNumber++;
                    if (shardLines == linesPerShard)
                    {
                        long end = position + i + 1;
                        shards.Add(new ShardRange(shardStart, end - shardStart, shardFirstLine, shardLines));
                        shardStart = end;
                        shardFirstLine = lineNumber;
                        shardLines = 0;
                    }
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r') && !(position + i < 3 && IsByteOrderMark(position + i, b)))
                {
                    lineHasContent = true;
                }
            }

            position += read;
        }

        if (lineHasContent)
        {
            shardLines++; // a last line without a line end
        }

        if (shardLines > 0)
        {
            shards.Add(new ShardRange(shardStart, position - shardStart, shardFirstLine, shardLines));
        }

        return shards;
    }

    /// <summary>The UTF-8 byte order mark's bytes at the very start of the file are not content.</summary>
    private static bool IsByteOrderMark(long index, byte b) => (index, b) is (0, 0xEF) or (1, 0xBB) or (2, 0xBF);

    /// <summary>Copies a shard's bytes from the input into a file of its own, written to a temporary name and renamed
    /// into place (every copy of a shard is the same bytes, so a second writer replaces it harmlessly).</summary>
    public static async Task ExtractAsync(string inputPath, long offset, long length, string shardPath, CancellationToken cancellationToken)
    {
        string temporary = $"{shardPath}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var source = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                source.Seek(offset, SeekOrigin.Begin);
                var buffer = new byte[1 << 16];
                long left = length;
                while (left > 0)
                {
                    int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException($"{inputPath} ended at byte {offset + length - left}, inside shard bytes {offset}..{offset + length}: the input changed after the run was split.");
                    }

                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    left -= read;
                }

                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }

            File.Move(temporary, shardPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
