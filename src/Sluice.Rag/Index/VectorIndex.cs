namespace Sluice.Rag;

/// <summary>
/// A vector index built for batches: one SQLite file holds keys, texts, metadata and vectors; the first search loads
/// every vector into one contiguous in-memory matrix (float, or int8 with <see cref="VectorIndexOptions.Int8"/>), and
/// search is exact: every row is scored by cosine with <c>System.Numerics.Tensors.TensorPrimitives</c>.
/// <see cref="SearchMany"/> scores a block of queries per pass over the matrix, which is what batch retrieval needs.
/// </summary>
/// <remarks>
/// <para>Thread-safe: searches run concurrently with each other; an upsert or delete commits to the file first,
/// then updates the in-memory side (when it is loaded) while searches wait. Reopening the file gives the same results.</para>
/// <para>Memory: until the first search (<see cref="Search"/>, <see cref="SearchMany"/>, <see cref="SearchManyAsync"/>)
/// nothing of the records is held in memory, so writing a corpus of any size (ingestion) costs no memory that grows
/// with it; <see cref="Count"/>, <see cref="Keys"/>, <see cref="KeysWithMetadata"/> and <see cref="Get"/> read the file.
/// The first search loads the matrix, keys, texts and metadata (<see cref="IsLoaded"/>); from then on writes update
/// them too.</para>
/// </remarks>
public sealed class VectorIndex : IDisposable
{
    private readonly VectorIndexOptions _options;
    private readonly IndexFile _file;
    private readonly VectorMatrix _matrix;
    private readonly List<string> _keys = [];
    private readonly List<string> _texts = [];
    private readonly List<IReadOnlyDictionary<string, string>> _metadata = [];
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile bool _loaded;

    private VectorIndex(string path, VectorIndexOptions options)
    {
        _options = options;
        Path = path;
        _file = new IndexFile(path, options.Dimensions);
        _matrix = new VectorMatrix(options.Dimensions, options.Int8);
    }

    /// <summary>Gets the file's path.</summary>
    public string Path { get; }

    /// <summary>Gets the settings in force.</summary>
    public VectorIndexOptions Options => _options;

    /// <summary>Gets the number of records (from the file until the first search loads the index).</summary>
    public int Count
    {
        get
        {
            if (!_loaded)
            {
                _writer.Wait();
                try
                {
                    if (!_loaded)
                    {
                        return _file.Count();
                    }
                }
                finally
                {
                    _writer.Release();
                }
            }

            _gate.EnterReadLock();
            try
            {
                return _matrix.Count;
            }
            finally
            {
                _gate.ExitReadLock();
            }
        }
    }

    /// <summary>Gets whether the in-memory side (matrix, keys, texts, metadata) is loaded: <see langword="false"/> from
    /// <see cref="Open"/> until the first search.</summary>
    public bool IsLoaded => _loaded;

    /// <summary>Gets the bytes the in-memory matrix occupies (its capacity, vectors and int8 scales); 0 until the first
    /// search loads it.</summary>
    public long MatrixBytes => _matrix.Bytes;

    /// <summary>Opens (or creates) the index file at <paramref name="path"/>. Nothing of the records is read until the
    /// first search.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <returns>The open index.</returns>
    /// <exception cref="InvalidOperationException">The file holds vectors of other dimensions.</exception>
    public static VectorIndex Open(string path, VectorIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new VectorIndex(path, (options ?? new VectorIndexOptions()).Validate());
    }

    /// <summary>Inserts or replaces <paramref name="records"/> in one transaction: after a crash the file holds all of
    /// them or none. A key given twice keeps its last record.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels before the transaction starts.</param>
    /// <returns>A task that completes when the records are durable and searchable.</returns>
    /// <exception cref="ArgumentException">A record's vector has the wrong length (the message names its position and key).</exception>
    public async Task UpsertAsync(IEnumerable<IndexRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var latest = new Dictionary<string, IndexRecord>(StringComparer.Ordinal);
        int position = 0;
        foreach (var record in records)
        {
            if (record is null || record.Key is null)
            {
                throw new ArgumentException($"Record {position} (zero-based) is null or has no key.", nameof(records));
            }

            if (record.Vector.Length != _options.Dimensions)
            {
                throw new ArgumentException(
                    $"Record {position} (key '{record.Key}') has a {record.Vector.Length}-dimensional vector; the index holds {_options.Dimensions}.",
                    nameof(records));
            }

            latest[record.Key] = record;
            position++;
        }

        if (latest.Count == 0)
        {
            return;
        }

        var list = latest.Values.ToList();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() => _file.Upsert(list), CancellationToken.None).ConfigureAwait(false);
            if (!_loaded)
            {
                return; // the first search reads these from the file
            }

            _gate.EnterWriteLock();
            try
            {
                _matrix.Grow(_matrix.Count + list.Count);
                foreach (var record in list)
                {
                    Apply(record);
                }
            }
            finally
            {
                _gate.ExitWriteLock();
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Deletes the records with <paramref name="keys"/> in one transaction; unknown keys are ignored.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels before the transaction starts.</param>
    /// <returns>How many records were deleted.</returns>
    public async Task<int> DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Distinct(StringComparer.Ordinal).ToList();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int deleted = await Task.Run(() => _file.Delete(list), CancellationToken.None).ConfigureAwait(false);
            if (!_loaded)
            {
                return deleted;
            }

            _gate.EnterWriteLock();
            try
            {
                foreach (string key in list)
                {
                    if (_rows.Remove(key, out int row))
                    {
                        RemoveRow(row);
                    }
                }
            }
            finally
            {
                _gate.ExitWriteLock();
            }

            return deleted;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Reads one record from the file, with its vector exactly as stored.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The record, or <see langword="null"/> when there is none.</returns>
    public IndexRecord? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _writer.Wait();
        try
        {
            return _file.Read(key);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Gets the keys of every record (in the file's insertion order), optionally only those matching
    /// <paramref name="filter"/>. Reads keys and metadata from the file, never texts or vectors, and loads nothing.</summary>
    /// <param name="filter">Equality conditions, or <see langword="null"/>.</param>
    /// <returns>The keys.</returns>
    public IReadOnlyList<string> Keys(MetadataFilter? filter = null) => [.. KeysWithMetadata(filter).Select(entry => entry.Key)];

    /// <summary>Gets every record's key with its metadata (in the file's insertion order), optionally only those
    /// matching <paramref name="filter"/>: one pass over the file's keys and metadata (no texts, no vectors), and
    /// nothing is loaded into the index. What ingestion uses to learn which documents, versions and chunks the index
    /// holds.</summary>
    /// <param name="filter">Equality conditions, or <see langword="null"/>.</param>
    /// <returns>A snapshot: later upserts and deletes do not change it. The metadata dictionaries are read-only.</returns>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, string>>> KeysWithMetadata(MetadataFilter? filter = null)
    {
        var result = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        _writer.Wait();
        try
        {
            foreach (var (key, metadata) in _file.ReadKeysWithMetadata())
            {
                if (filter is null || filter.Matches(metadata))
                {
                    result.Add(new(key, ReadOnly(metadata)));
                }
            }
        }
        finally
        {
            _writer.Release();
        }

        return result;
    }

    /// <summary>Deletes every record matching <paramref name="filter"/> (for example every chunk of one document) in
    /// one transaction.</summary>
    /// <param name="filter">Equality conditions; a record must meet all of them.</param>
    /// <param name="cancellationToken">Cancels before the transaction starts.</param>
    /// <returns>How many records were deleted.</returns>
    public Task<int> DeleteAsync(MetadataFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return DeleteAsync(Keys(filter), cancellationToken);
    }

    /// <summary>The <paramref name="top"/> records most similar (cosine) to <paramref name="query"/>, best first.</summary>
    /// <param name="query">The query vector.</param>
    /// <param name="top">How many results at most; must be positive.</param>
    /// <param name="filter">Equality conditions applied during the scan, or <see langword="null"/>.</param>
    /// <returns>The hits.</returns>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int top, MetadataFilter? filter = null)
    {
        float[] block = UnitQueries([query.ToArray()]);
        EnsureLoaded();
        return SearchBlocks(block, 1, top, filter, CancellationToken.None)[0];
    }

    /// <summary>Searches for many queries at once: the matrix is read once per block of
    /// <see cref="VectorIndexOptions.QueryBlockSize"/> queries instead of once per query; results are exactly those of
    /// <see cref="Search"/> for each query.</summary>
    /// <param name="queries">The query vectors.</param>
    /// <param name="top">How many results per query at most; must be positive.</param>
    /// <param name="filter">Equality conditions applied during the scan, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops between blocks.</param>
    /// <returns>One list of hits per query, in query order.</returns>
    public IReadOnlyList<IReadOnlyList<SearchHit>> SearchMany(
        IReadOnlyList<ReadOnlyMemory<float>> queries, int top, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
        {
            return [];
        }

        float[] unit = UnitQueries(queries.Select(q => q.ToArray()).ToList());
        EnsureLoaded();
        return SearchBlocks(unit, queries.Count, top, filter, cancellationToken);
    }

    /// <summary>Runs <see cref="SearchMany"/> on the thread pool.</summary>
    /// <param name="queries">The query vectors.</param>
    /// <param name="top">How many results per query at most.</param>
    /// <param name="filter">Equality conditions, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops between blocks.</param>
    /// <returns>One list of hits per query, in query order.</returns>
    public Task<IReadOnlyList<IReadOnlyList<SearchHit>>> SearchManyAsync(
        IReadOnlyList<ReadOnlyMemory<float>> queries, int top, MetadataFilter? filter = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => SearchMany(queries, top, filter, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        _gate.Dispose();
        _writer.Dispose();
    }

    /// <summary>Loads the in-memory side from the file, once: under the writer's lock, so no write commits between the
    /// read and the switch to updating memory on every write.</summary>
    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        _writer.Wait();
        try
        {
            if (_loaded)
            {
                return;
            }

            _gate.EnterWriteLock();
            try
            {
                try
                {
                    _matrix.Grow(_file.Count()); // sized once: no growth copies while loading
                    foreach (var record in _file.ReadAll())
                    {
                        Append(record.Key, record.Text, ReadOnly((Dictionary<string, string>)record.Metadata), record.Vector.Span);
                    }

                    _loaded = true;
                }
                catch
                {
                    // A failed load (an unreadable file) leaves nothing half-loaded: the next search tries again.
                    while (_matrix.Count > 0)
                    {
                        _matrix.RemoveByMovingLast(_matrix.Count - 1);
                    }

                    _keys.Clear();
                    _texts.Clear();
                    _metadata.Clear();
                    _rows.Clear();
                    throw;
                }
            }
            finally
            {
                _gate.ExitWriteLock();
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    private float[] UnitQueries(IReadOnlyList<float[]> queries)
    {
        int d = _options.Dimensions;
        var unit = new float[queries.Count * d];
        for (int q = 0; q < queries.Count; q++)
        {
            float[] query = queries[q];
            if (query.Length != d)
            {
                throw new ArgumentException($"Query {q} (zero-based) has {query.Length} dimensions; the index holds {d}.", nameof(queries));
            }

            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(query);
            System.Numerics.Tensors.TensorPrimitives.Divide(query, norm > 0 ? norm : 1f, unit.AsSpan(q * d, d));
        }

        return unit;
    }

    private IReadOnlyList<SearchHit>[] SearchBlocks(float[] queries, int queryCount, int top, MetadataFilter? filter, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        int d = _options.Dimensions;
        int blockSize = _options.QueryBlockSize;
        int blocks = (queryCount + blockSize - 1) / blockSize;
        var results = new IReadOnlyList<SearchHit>[queryCount];
        _gate.EnterReadLock();
        try
        {
            int rows = _matrix.Count;
            bool[]? allowed = filter is null ? null : Allowed(filter);
            // Enough independent pieces of work for every thread: split the rows too when there are few query blocks.
            int parts = blocks >= _options.Parallelism ? 1 : Math.Max(1, Math.Min(_options.Parallelism, rows / 4096));
            var heaps = new TopK[blocks * parts][];
            Parallel.For(0, blocks * parts, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, job =>
            {
                int block = job / parts;
                int part = job % parts;
                int first = block * blockSize;
                int count = Math.Min(blockSize, queryCount - first);
                var local = new TopK[count];
                for (int q = 0; q < count; q++)
                {
                    local[q] = new TopK(top);
                }

                int from = (int)((long)rows * part / parts);
                int to = (int)((long)rows * (part + 1) / parts);
                _matrix.ScoreBlock(queries.AsSpan(first * d, count * d), local, from, to, allowed);
                heaps[job] = local;
            });

            for (int block = 0; block < blocks; block++)
            {
                var merged = heaps[block * parts];
                for (int part = 1; part < parts; part++)
                {
                    for (int q = 0; q < merged.Length; q++)
                    {
                        heaps[block * parts + part][q].MergeInto(merged[q]);
                    }
                }

                for (int q = 0; q < merged.Length; q++)
                {
                    results[block * blockSize + q] = merged[q].Sorted()
                        .Select(hit => new SearchHit(_keys[hit.Row], hit.Score, _texts[hit.Row], _metadata[hit.Row]))
                        .ToArray();
                }
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }

        return results;
    }

    private bool[] Allowed(MetadataFilter filter)
    {
        var allowed = new bool[_matrix.Count];
        for (int row = 0; row < allowed.Length; row++)
        {
            allowed[row] = filter.Matches(_metadata[row]);
        }

        return allowed;
    }

    private void Apply(IndexRecord record)
    {
        if (_rows.TryGetValue(record.Key, out int row))
        {
            _texts[row] = record.Text;
            _metadata[row] = Copy(record.Metadata);
            _matrix.Set(row, record.Vector.Span);
        }
        else
        {
            Append(record.Key, record.Text, Copy(record.Metadata), record.Vector.Span);
        }
    }

    private void Append(string key, string text, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<float> vector)
    {
        int row = _matrix.Count;
        _rows[key] = row;
        _keys.Add(key);
        _texts.Add(text);
        _metadata.Add(metadata);
        _matrix.Set(row, vector);
    }

    // Metadata read from the file belongs to the index already: wrapped, not copied.
    private static IReadOnlyDictionary<string, string> ReadOnly(Dictionary<string, string> metadata) =>
        metadata.Count == 0 ? NoMetadata : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(metadata);

    // The caller's dictionary may change after the upsert: the index keeps its own read-only copy (one shared empty
    // one for records without metadata, so a million plain rows cost nothing here).
    private static IReadOnlyDictionary<string, string> Copy(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Count == 0 ? NoMetadata
            : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>(metadata, StringComparer.Ordinal));

    private static readonly IReadOnlyDictionary<string, string> NoMetadata =
        new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>(StringComparer.Ordinal));

    private void RemoveRow(int row)
    {
        int last = _matrix.Count - 1;
        _matrix.RemoveByMovingLast(row);
        if (row != last)
        {
            _keys[row] = _keys[last];
            _texts[row] = _texts[last];
            _metadata[row] = _metadata[last];
            _rows[_keys[row]] = row;
        }

        _keys.RemoveAt(last);
        _texts.RemoveAt(last);
        _metadata.RemoveAt(last);
    }
}
