namespace Sluice.Cluster.Runs;

/// <summary>One shard: a range of whole lines of the input file.</summary>
/// <param name="Offset">Where it starts (bytes).</param>
/// <param name="Length">Its length (bytes), the line end of its last line included.</param>
/// <param name="FirstLine">The input line number of its first line (1-based; blank lines count, as in <c>sluice run</c>).</param>
/// <param name="Lines">The non-blank lines it holds and runs (skipped lines not counted).</param>
/// <param name="Skipped">The input line numbers inside it that are left out (invalid lines of a run with
/// <see cref="ShardedRunOptions.SkipInvalid"/>), ascending; <see langword="null"/> for none.</param>
internal readonly record struct ShardRange(long Offset, long Length, long FirstLine, int Lines, long[]? Skipped = null);

/// <summary>Cuts an input file into shards of <see cref="ShardedRunOptions.ShardLines"/> non-blank lines, in one
/// streaming pass that records byte offsets, so a worker seeks to its shard instead of reading what comes before it.</summary>
internal static class ShardPlan
{
    /// <summary>Cuts the input into shards of <paramref name="linesPerShard"/> lines, or, when it is
    /// <see langword="null"/>, of the size the run's length calls for (<see cref="ShardedRunOptions.AutomaticShardLines"/>):
    /// a pass at <see cref="ShardedRunOptions.DefaultShardLines"/>, and a second one, over a file of fewer than
    /// <see cref="ShardedRunOptions.AutomaticShards"/> such shards, at the smaller size.</summary>
    /// <param name="inputPath">The input.</param>
    /// <param name="linesPerShard">The lines that each shard runs; <see langword="null"/> for the automatic size.</param>
    /// <param name="skipped">Input line numbers to leave out: they are not counted, and each shard lists those inside it.</param>
    /// <param name="cancellationToken">Stops the passes.</param>
    public static async Task<List<ShardRange>> SplitAsync(string inputPath, int? linesPerShard, IReadOnlySet<long>? skipped = null, CancellationToken cancellationToken = default)
    {
        if (linesPerShard is { } fixedLines)
        {
            return await SplitAsync(inputPath, fixedLines, skipped, cancellationToken).ConfigureAwait(false);
        }

        var shards = await SplitAsync(inputPath, ShardedRunOptions.DefaultShardLines, skipped, cancellationToken).ConfigureAwait(false);
        if (shards.Count >= ShardedRunOptions.AutomaticShards)
        {
            return shards;
        }

        int lines = ShardedRunOptions.AutomaticShardLines(shards.Sum(shard => (long)shard.Lines));
        return lines == ShardedRunOptions.DefaultShardLines ? shards : await SplitAsync(inputPath, lines, skipped, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="inputPath">The input.</param>
    /// <param name="linesPerShard">The lines that each shard runs.</param>
    /// <param name="skipped">Input line numbers to leave out: they are not counted, and each shard lists those inside it.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    public static async Task<List<ShardRange>> SplitAsync(string inputPath, int linesPerShard, IReadOnlySet<long>? skipped = null, CancellationToken cancellationToken = default)
    {
        var inside = new List<long>();
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
                    Count(lineNumber);

                    lineHasContent = false;
                    lineNumber++;
                    if (shardLines == linesPerShard)
                    {
                        long end = position + i + 1;
                        shards.Add(new ShardRange(shardStart, end - shardStart, shardFirstLine, shardLines, Take()));
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

        Count(lineNumber); // a last line without a line end
        if (shardLines > 0)
        {
            shards.Add(new ShardRange(shardStart, position - shardStart, shardFirstLine, shardLines, Take()));
        }

        return shards;

        void Count(long line)
        {
            if (lineHasContent && skipped?.Contains(line) == true)
            {
                inside.Add(line);
            }
            else if (lineHasContent)
            {
                shardLines++;
            }
        }

        long[]? Take()
        {
            long[]? lines = inside.Count == 0 ? null : [.. inside];
            inside.Clear();
            return lines;
        }
    }

    /// <summary>The UTF-8 byte order mark's bytes at the very start of the file are not content.</summary>
    private static bool IsByteOrderMark(long index, byte b) => (index, b) is (0, 0xEF) or (1, 0xBB) or (2, 0xBF);

    /// <summary>Copies a shard's bytes from the input into a file of its own, written to a temporary name and renamed
    /// into place (every copy of a shard is the same bytes, so a second writer replaces it harmlessly).</summary>
    /// <param name="inputPath">The input.</param>
    /// <param name="range">The shard: its bytes, its first line and the lines it leaves out.</param>
    /// <param name="shardPath">The shard's own file.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    public static async Task ExtractAsync(string inputPath, ShardRange range, string shardPath, CancellationToken cancellationToken)
    {
        var (offset, length) = (range.Offset, range.Length);
        var skipped = range.Skipped is { Length: > 0 } lines ? new HashSet<long>(lines) : null;
        long line = range.FirstLine;
        bool skipping = skipped?.Contains(line) == true;
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

                    if (skipped is null)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // Line by line: the bytes of each line that is not left out, its line end included.
                        int start = 0;
                        for (int i = 0; i < read; i++)
                        {
                            if (buffer[i] == (byte)'\n')
                            {
                                if (!skipping)
                                {
                                    await target.WriteAsync(buffer.AsMemory(start, i + 1 - start), cancellationToken).ConfigureAwait(false);
                                }

                                skipping = skipped.Contains(++line);
                                start = i + 1;
                            }
                        }

                        if (!skipping && start < read)
                        {
                            await target.WriteAsync(buffer.AsMemory(start, read - start), cancellationToken).ConfigureAwait(false);
                        }
                    }

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
