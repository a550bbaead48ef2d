namespace Sluice.Cluster.Runs;

/// <summary>One shard: a range of whole lines of the input file.</summary>
/// <param name="Offset">Where it starts (bytes).</param>
/// <param name="Length">Its length (bytes), the line end of its last line included.</param>
/// <param name="FirstLine">The input line number of its first line (1-based; blank lines count, as in <c>sluice run</c>).</param>
/// <param name="Lines">The non-blank lines it holds and runs (skipped lines not counted).</param>
/// <param name="Skipped">The input line numbers inside it that are left out (invalid lines of a run with
/// <see cref="ShardedRunOptions.SkipInvalid"/>), ascending; <see langword="null"/> for none.</param>
internal readonly record struct ShardRange(long Offset, long Length, long FirstLine, int Lines, long[]? Skipped = null);

/// <summary>Cuts an input file into shards of non-blank lines, in streaming passes that record byte offsets, so a
/// worker seeks to its shard instead of reading what comes before it.</summary>
internal static class ShardPlan
{
    /// <summary>Cuts the input into shards of <paramref name="linesPerShard"/> lines, or, when it is
    /// <see langword="null"/>, of the sizes the run's length calls for: shards of
    /// <see cref="ShardedRunOptions.AutomaticShardLines"/> that shrink at the end
    /// (<see cref="ShardedRunOptions.NextAutomaticShardLines"/>). A pass at <see cref="ShardedRunOptions.DefaultShardLines"/>
    /// counts the lines; a second one cuts again from where the plan departs from it: the whole of a file of fewer than
    /// <see cref="ShardedRunOptions.AutomaticShards"/> such shards, the last few thousand lines of a longer one.</summary>
    /// <param name="inputPath">The input.</param>
    /// <param name="linesPerShard">The lines that each shard runs; <see langword="null"/> for the automatic sizes.</param>
    /// <param name="skipped">Input line numbers to leave out: they are not counted, and each shard lists those inside it.</param>
    /// <param name="cancellationToken">Stops the passes.</param>
    public static async Task<List<ShardRange>> SplitAsync(string inputPath, int? linesPerShard, IReadOnlySet<long>? skipped = null, CancellationToken cancellationToken = default)
    {
        if (linesPerShard is { } fixedLines)
        {
            return await SplitAsync(inputPath, fixedLines, skipped, cancellationToken).ConfigureAwait(false);
        }

        var shards = await SplitAsync(inputPath, ShardedRunOptions.DefaultShardLines, skipped, cancellationToken).ConfigureAwait(false);
        long total = shards.Sum(shard => (long)shard.Lines);
        int size = shards.Count >= ShardedRunOptions.AutomaticShards ? ShardedRunOptions.DefaultShardLines : ShardedRunOptions.AutomaticShardLines(total);
        long left = total;
        for (int kept = 0; kept < shards.Count; kept++)
        {
            if (ShardedRunOptions.NextAutomaticShardLines(left, size) != shards[kept].Lines)
            {
                // The plan departs from the first pass here: cut again from this shard's start.
                var rest = await SplitAsync(inputPath, l => ShardedRunOptions.NextAutomaticShardLines(l, size), left, shards[kept], skipped, cancellationToken).ConfigureAwait(false);
                shards.RemoveRange(kept, shards.Count - kept);
                shards.AddRange(rest);
                break;
            }

            left -= shards[kept].Lines;
        }

        return shards;
    }

    /// <param name="inputPath">The input.</param>
    /// <param name="linesPerShard">The lines that each shard runs.</param>
    /// <param name="skipped">Input line numbers to leave out: they are not counted, and each shard lists those inside it.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    public static Task<List<ShardRange>> SplitAsync(string inputPath, int linesPerShard, IReadOnlySet<long>? skipped = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerShard);
        return SplitAsync(inputPath, _ => linesPerShard, long.MaxValue, new ShardRange(0, 0, 1, 0), skipped, cancellationToken);
    }

    /// <summary>One pass from <paramref name="from"/>'s first byte and line to the end of the file.</summary>
    /// <param name="inputPath">The input.</param>
    /// <param name="nextLines">The lines of the next shard, given the lines left to cut.</param>
    /// <param name="lines">The lines left to cut at <paramref name="from"/> (counted down as shards are cut).</param>
    /// <param name="from">Where to start: its offset and first line.</param>
    /// <param name="skipped">Input line numbers to leave out.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    private static async Task<List<ShardRange>> SplitAsync(string inputPath, Func<long, int> nextLines, long lines, ShardRange from, IReadOnlySet<long>? skipped, CancellationToken cancellationToken)
    {
        var inside = new List<long>();
        var shards = new List<ShardRange>();
        await using var stream = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        stream.Seek(from.Offset, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        long position = from.Offset, shardStart = from.Offset, lineNumber = from.FirstLine, shardFirstLine = from.FirstLine;
        int shardLines = 0, linesPerShard = Math.Max(1, nextLines(lines));
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
                        lines -= shardLines;
                        shardLines = 0;
                        linesPerShard = Math.Max(1, nextLines(lines));
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
