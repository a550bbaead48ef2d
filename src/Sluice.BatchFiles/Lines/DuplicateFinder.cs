namespace Sluice.BatchFiles.Lines;

/// <summary>
/// Finds the lines whose <c>custom_id</c> an earlier line already used, in bounded memory whatever the file's size:
/// (key, line) pairs are sorted in runs of at most <see cref="RunLength"/> (3 MiB), runs beyond the first are spilled to
/// a temporary directory, and the merged order puts equal keys side by side, first use first. Memory is one run plus
/// the duplicates found (usually none).
/// </summary>
internal sealed class DuplicateFinder : IDisposable
{
    internal const int RunLength = 1 << 17;
    private const int EntryBytes = 24;
    private readonly List<string> _spills = [];
    private Entry[] _run = new Entry[1024];
    private int _count;
    private string? _directory;

    public void Add(UInt128 key, long line)
    {
        if (_count == _run.Length)
        {
            if (_run.Length < RunLength)
            {
                Array.Resize(ref _run, Math.Min(RunLength, _run.Length * 2));
            }
            else
            {
                Spill();
            }
        }

        _run[_count++] = new Entry(key, line);
    }

    /// <summary>Each duplicate line with the line that used its id first.</summary>
    public Dictionary<long, long> Finish()
    {
        var duplicates = new Dictionary<long, long>();
        Array.Sort(_run, 0, _count, Entry.Comparer);
        if (_spills.Count == 0)
        {
            Scan(_run.AsSpan(0, _count).ToArray(), duplicates);
            return duplicates;
        }

        Spill();
        Scan(Merge(), duplicates);
        return duplicates;
    }

    public void Dispose()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void Scan(IEnumerable<Entry> sorted, Dictionary<long, long> duplicates)
    {
        bool any = false;
        Entry first = default;
        foreach (var entry in sorted)
        {
            if (any && entry.Key == first.Key)
            {
                duplicates[entry.Line] = first.Line;
            }
            else
            {
                first = entry;
                any = true;
            }
        }
    }

    private void Spill()
    {
        Array.Sort(_run, 0, _count, Entry.Comparer);
        _directory ??= Directory.CreateTempSubdirectory("sluice-ids-").FullName;
        string path = Path.Combine(_directory, $"run-{_spills.Count:D5}.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Span<byte> bytes = stackalloc byte[EntryBytes];
            for (int i = 0; i < _count; i++)
            {
                BitConverter.TryWriteBytes(bytes, (ulong)(_run[i].Key >> 64));
                BitConverter.TryWriteBytes(bytes[8..], (ulong)_run[i].Key);
                BitConverter.TryWriteBytes(bytes[16..], _run[i].Line);
                stream.Write(bytes);
            }
        }

        _spills.Add(path);
        _count = 0;
    }

    private IEnumerable<Entry> Merge()
    {
        var streams = _spills.Select(p => new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)).ToList();
        try
        {
            var queue = new PriorityQueue<int, Entry>(Entry.Comparer);
            for (int i = 0; i < streams.Count; i++)
            {
                if (Read(streams[i]) is { } entry)
                {
                    queue.Enqueue(i, entry);
                }
            }

            while (queue.TryDequeue(out int source, out var entry))
            {
                yield return entry;
                if (Read(streams[source]) is { } next)
                {
                    queue.Enqueue(source, next);
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    private static Entry? Read(FileStream stream)
    {
        Span<byte> bytes = stackalloc byte[EntryBytes];
        if (stream.ReadAtLeast(bytes, EntryBytes, throwOnEndOfStream: false) < EntryBytes)
        {
            return null;
        }

        var key = new UInt128(BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]));
        return new Entry(key, BitConverter.ToInt64(bytes[16..]));
    }

    private readonly record struct Entry(UInt128 Key, long Line)
    {
        public static readonly IComparer<Entry> Comparer = Comparer<Entry>.Create(static (a, b) =>
        {
            int byKey = a.Key.CompareTo(b.Key);
            return byKey != 0 ? byKey : a.Line.CompareTo(b.Line);
        });
    }
}
