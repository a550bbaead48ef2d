using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>
/// Writes the output and errors files from the journal, each item once: when an item has several records (failed,
/// then retried), only its last counts. Completion order is journal order, streamed. Input order sorts the records by
/// input line in bounded memory: runs of at most <see cref="RunBytes"/> bytes are sorted and spilled to temporary files
/// in the run directory, then merged.
/// </summary>
internal static class OutputAssembler
{
    /// <summary>The most bytes of output lines sorted in memory at once (32 MiB).</summary>
    internal const int RunBytes = 32 << 20;

    public static async Task<(long Output, long Errors)> WriteAsync(
        string journalPath,
        string outputPath,
        string errorsPath,
        bool ordered,
        Dictionary<UInt128, int> repeats,
        Func<BatchOutputFile, Task<long>>? writeMore,
        CancellationToken cancellationToken)
    {
        await using var output = BatchOutputFile.Create(outputPath);
        await using var errors = BatchOutputFile.Create(errorsPath);
        if (ordered)
        {
            await WriteOrderedAsync(journalPath, output, errors, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteInJournalOrderAsync(journalPath, output, errors, repeats, cancellationToken).ConfigureAwait(false);
        }

        if (writeMore is not null)
        {
            await writeMore(errors).ConfigureAwait(false);
        }

        await errors.CommitAsync(cancellationToken).ConfigureAwait(false);
        await output.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (output.LineCount, errors.LineCount);
    }

    private static async Task WriteInJournalOrderAsync(string journalPath, BatchOutputFile output, BatchOutputFile errors, Dictionary<UInt128, int> repeats, CancellationToken cancellationToken)
    {
        var left = repeats.Count == 0 ? null : new Dictionary<UInt128, int>(repeats);
        await foreach (var record in RunJournalReader.ReadAsync(journalPath, cancellationToken).ConfigureAwait(false))
        {
            if (left is not null)
            {
                var key = CustomIdKey.Of(record.CustomId);
                if (left.TryGetValue(key, out int remaining))
                {
                    if (remaining > 1)
                    {
                        left[key] = remaining - 1;
                        continue; // a later record of this item counts
                    }

                    left.Remove(key);
                }
            }

            var file = record.Outcome == JournalOutcome.Succeeded ? output : errors;
            await file.WriteLineAsync(record.OutputLine, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteOrderedAsync(string journalPath, BatchOutputFile output, BatchOutputFile errors, CancellationToken cancellationToken)
    {
        string spillDirectory = Path.Combine(Path.GetDirectoryName(journalPath)!, "sort");
        var spills = new List<string>();
        var run = new List<Entry>();
        long runBytes = 0;
        long sequence = 0;
        try
        {
            await foreach (var record in RunJournalReader.ReadAsync(journalPath, cancellationToken).ConfigureAwait(false))
            {
                run.Add(new Entry(record.InputLine, sequence++, record.Outcome, record.OutputLine));
                runBytes += record.OutputLine.Length + 64;
                if (runBytes >= RunBytes)
                {
                    spills.Add(await SpillAsync(run, spillDirectory, spills.Count, cancellationToken).ConfigureAwait(false));
                    run.Clear();
                    runBytes = 0;
                }
            }

            run.Sort(Entry.Compare);
            if (spills.Count == 0)
            {
                await WriteLastOfEachLineAsync(run.ToAsyncEnumerable(), output, errors, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (run.Count > 0)
            {
                spills.Add(await SpillAsync(run, spillDirectory, spills.Count, cancellationToken).ConfigureAwait(false));
                run.Clear();
            }

            await WriteLastOfEachLineAsync(MergeAsync(spills, cancellationToken), output, errors, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (System.IO.Directory.Exists(spillDirectory))
            {
                System.IO.Directory.Delete(spillDirectory, recursive: true);
            }
        }
    }

    /// <summary>Writes entries sorted by (input line, sequence), keeping only the last entry of each input line.</summary>
    private static async Task WriteLastOfEachLineAsync(IAsyncEnumerable<Entry> sorted, BatchOutputFile output, BatchOutputFile errors, CancellationToken cancellationToken)
    {
        Entry? pending = null;
        await foreach (var entry in sorted.ConfigureAwait(false))
        {
            if (pending is { } previous && previous.InputLine != entry.InputLine)
            {
                await WriteAsync(previous).ConfigureAwait(false);
            }

            pending = entry;
        }

        if (pending is { } last)
        {
            await WriteAsync(last).ConfigureAwait(false);
        }

        ValueTask WriteAsync(Entry entry) =>
            (entry.Outcome == JournalOutcome.Succeeded ? output : errors).WriteLineAsync(entry.Line, cancellationToken);
    }

    private static async Task<string> SpillAsync(List<Entry> run, string directory, int index, CancellationToken cancellationToken)
    {
        run.Sort(Entry.Compare);
        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"run-{index:D5}.bin");
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        var header = new byte[21];
        foreach (var entry in run)
        {
            BitConverter.TryWriteBytes(header.AsSpan(0, 8), entry.InputLine);
            BitConverter.TryWriteBytes(header.AsSpan(8, 8), entry.Sequence);
            header[16] = (byte)entry.Outcome;
            BitConverter.TryWriteBytes(header.AsSpan(17, 4), entry.Line.Length);
            await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(entry.Line, cancellationToken).ConfigureAwait(false);
        }

        return path;
    }

    private static async IAsyncEnumerable<Entry> MergeAsync(List<string> spills, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readers = new List<FileStream>();
        try
        {
            var queue = new PriorityQueue<(Entry Entry, int Source), Entry>(Comparer<Entry>.Create(Entry.Compare));
            foreach (string spill in spills)
            {
                var stream = new FileStream(spill, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                readers.Add(stream);
                if (Read(stream) is { } first)
                {
                    queue.Enqueue((first, readers.Count - 1), first);
                }
            }

            while (queue.TryDequeue(out var item, out _))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return item.Entry;
                if (Read(readers[item.Source]) is { } next)
                {
                    queue.Enqueue((next, item.Source), next);
                }
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static Entry? Read(FileStream stream)
    {
        Span<byte> header = stackalloc byte[21];
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length)
        {
            return null;
        }

        var line = new byte[BitConverter.ToInt32(header[17..])];
        stream.ReadExactly(line);
        return new Entry(BitConverter.ToInt64(header), BitConverter.ToInt64(header[8..]), (JournalOutcome)header[16], line);
    }

    private readonly record struct Entry(long InputLine, long Sequence, JournalOutcome Outcome, ReadOnlyMemory<byte> Line)
    {
        public static int Compare(Entry a, Entry b)
        {
            int byLine = a.InputLine.CompareTo(b.InputLine);
            return byLine != 0 ? byLine : a.Sequence.CompareTo(b.Sequence);
        }
    }
}
