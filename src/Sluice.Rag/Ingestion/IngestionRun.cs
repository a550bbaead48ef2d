using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// One run of an <see cref="IngestionPipeline"/>: learns what the index holds, prepares changed documents lazily
/// (read → version check → split → transforms), groups them by count and tokens, and runs each group through the
/// engine (cache → embed → write each document → delete its old version). Then, after a complete run, prunes.
/// </summary>
internal sealed class IngestionRun(IngestionPipeline pipeline, IEmbeddingGenerator<string, Embedding<float>> generator, Func<string, int> countTokens)
{
    private readonly IngestionOptions _options = pipeline.Options;
    private readonly IngestionCounters _counters = new(pipeline.Options.Progress, pipeline.Options.TimeProvider);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _keptSources = new(StringComparer.Ordinal);
    private DocumentWriter _writer = null!;
    private Dictionary<string, IndexedDocument> _indexed = [];
    public async Task<IngestionReport> RunAsync(IAsyncEnumerable<ReadOutcome> documents, CancellationToken cancellationToken)
    {
        _indexed = IndexedDocument.Snapshot(pipeline.Index);
        _writer = new DocumentWriter(pipeline.Index, _counters);
        var groups = Groups.ByWeight(Prepare(documents, cancellationToken), _options.MaxGroupTexts, _options.MaxGroupTokens,
            static document => Math.Max(1, document.Tokens), cancellationToken);
        var batch = new BatchOptions { MaxConcurrency = _options.MaxConcurrency, Ordered = false, TimeProvider = _options.TimeProvider };
        await foreach (var result in Batch.ProcessAsync(groups, EmbedAndWriteAsync, batch, cancellationToken).ConfigureAwait(false))
        {
            if (!result.Succeeded)
            {
                foreach (var document in result.Input)
                {
                    Fail(document.Document.Source, document.Document.Id, IngestionStage.Write, Describe(result.Error!));
                }
            }

            _counters.Report();
        }

        if (_options.Prune)
        {
            await PruneAsync(cancellationToken).ConfigureAwait(false);
        }

        return _counters.Finish();
    }

    private async IAsyncEnumerable<PreparedDocument> Prepare(IAsyncEnumerable<ReadOutcome> documents, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var outcome in documents.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (outcome.Error is { } error)
            {
                _keptSources.Add(error.Source);
                Fail(error);
                continue;
            }

            var document = outcome.Document!;
            Interlocked.Increment(ref _counters.Read);
            if (!_seen.Add(document.Id))
            {
                Fail(document.Source, document.Id, IngestionStage.Read,
                    $"The document id '{document.Id}' was already read in this run (from another record or file); this one is skipped.");
                continue;
            }

            string version = DocumentVersion.Of(pipeline.SettingsKey, document);
            _indexed.TryGetValue(document.Id, out var indexed);
            if (indexed is not null && indexed.IsOnly(version))
            {
                Interlocked.Increment(ref _counters.Unchanged);
                _counters.ReportNowAndThen();
                continue;
            }

            IReadOnlyList<DocumentChunk> chunks;
            try
            {
                chunks = Transform(pipeline.Splitter.Split(document));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Fail(document.Source, document.Id, IngestionStage.Split, Describe(exception));
                continue;
            }

            Interlocked.Increment(ref _counters.Split);
            Interlocked.Add(ref _counters.Chunks, chunks.Count);
            _counters.ReportNowAndThen();
            yield return new PreparedDocument(document, version, chunks, indexed?.Keys ?? []);
        }

        _counters.Report(); // every document read and split
    }

    private IReadOnlyList<DocumentChunk> Transform(IReadOnlyList<DocumentChunk> chunks)
    {
        if (_options.Transforms.Count == 0)
        {
            return chunks;
        }

        var result = new List<DocumentChunk>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var current = chunk;
            foreach (var transform in _options.Transforms)
            {
                current = transform(current) ?? throw new InvalidOperationException("A transform returned null.");
            }

            result.Add(current.Text == chunk.Text ? current : current with { Tokens = countTokens(current.Text) });
        }

        return result;
    }

    private async ValueTask<int> EmbedAndWriteAsync(IReadOnlyList<PreparedDocument> group, CancellationToken cancellationToken)
    {
        var owners = new List<int>();
        var texts = new List<string>();
        var tokens = new List<int>();
        for (int d = 0; d < group.Count; d++)
        {
            foreach (var chunk in group[d].Chunks)
            {
                owners.Add(d);
                texts.Add(chunk.Text);
                tokens.Add(chunk.Tokens);
            }
        }

        var failures = new string?[group.Count];
        float[]?[] vectors = await EmbedAsync(texts, tokens, owners, failures, cancellationToken).ConfigureAwait(false);
        var ready = new List<(PreparedDocument Document, IndexRecord[] Records)>(group.Count);
        int offset = 0;
        for (int d = 0; d < group.Count; d++)
        {
            var document = group[d];
            int count = document.Chunks.Count;
            if (failures[d] is { } reason)
            {
                Fail(document.Document.Source, document.Document.Id, IngestionStage.Embed, reason);
            }
            else
            {
                ready.Add((document, DocumentWriter.Records(document, vectors.AsSpan(offset, count))));
            }

            offset += count;
        }

        await _writer.WriteAsync(ready, cancellationToken).ConfigureAwait(false);
        return group.Count;
    }

    /// <summary>Vectors for every text: from the cache, else from the model (each distinct missing text once, in
    /// groups by count and tokens). A failed call marks the documents it carried texts of.</summary>
    private async Task<float[]?[]> EmbedAsync(List<string> texts, List<int> tokens, List<int> owners, string?[] failures, CancellationToken cancellationToken)
    {
        var cache = _options.Cache;
        float[]?[] vectors = new float[]?[texts.Count];
        if (cache is not null)
        {
            try
            {
                vectors = cache.Get(pipeline.Model, texts);
            }
            catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
            {
                Fail("(embedding cache)", null, IngestionStage.Embed, $"The cache could not be read; every text of this group is embedded: {Describe(exception)}");
            }
        }

        var missing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        int hits = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            if (vectors[i] is not null)
            {
                hits++;
            }
            else if (missing.TryGetValue(texts[i], out var positions))
            {
                positions.Add(i);
            }
            else
            {
                missing[texts[i]] = [i];
            }
        }

        Interlocked.Add(ref _counters.CacheHits, hits);
        var calls = Groups.ByWeight(missing, _options.MaxGroupTexts, _options.MaxGroupTokens, entry => Math.Max(1, tokens[entry.Value[0]]));
        foreach (var call in calls)
        {
            if (call.All(entry => entry.Value.All(i => failures[owners[i]] is not null)))
            {
                continue; // every text of this call belongs to a document that already failed
            }

            try
            {
                var embeddings = await generator.GenerateAsync(call.Select(e => e.Key), cancellationToken: cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _counters.Calls);
                if (embeddings.Count != call.Count)
                {
                    throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {call.Count} texts.");
                }

                var entries = new List<KeyValuePair<string, ReadOnlyMemory<float>>>(call.Count);
                for (int c = 0; c < call.Count; c++)
                {
                    float[] vector = embeddings[c].Vector.ToArray();
                    if (vector.Length != pipeline.Index.Options.Dimensions)
                    {
                        throw new InvalidOperationException(
                            $"The embedding generator returned a {vector.Length}-dimensional vector; the index holds {pipeline.Index.Options.Dimensions}.");
                    }

                    foreach (int i in call[c].Value)
                    {
                        vectors[i] = vector;
                    }

                    entries.Add(new(call[c].Key, vector));
                }

                Interlocked.Add(ref _counters.TextsEmbedded, call.Count);
                Store(cache, entries);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                string reason = Describe(exception);
                foreach (var entry in call)
                {
                    foreach (int i in entry.Value)
                    {
                        failures[owners[i]] ??= reason;
                    }
                }
            }
        }

        return vectors;
    }

    /// <summary>Caches new vectors; a cache that cannot be written is an error record, and the documents are still written.</summary>
    private void Store(EmbeddingCache? cache, List<KeyValuePair<string, ReadOnlyMemory<float>>> entries)
    {
        try
        {
            cache?.Put(pipeline.Model, entries);
        }
        catch (Exception exception) when (exception is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            Fail("(embedding cache)", null, IngestionStage.Embed, $"{entries.Count} vectors were not cached (the documents are still written): {Describe(exception)}");
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var gone = _indexed.Values.Where(d => !_seen.Contains(d.DocumentId) && !IsKept(d.Sources)).ToList();
        if (gone.Count == 0)
        {
            return;
        }

        await pipeline.Index.DeleteAsync(gone.SelectMany(d => d.Keys), cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _counters.Pruned, gone.Count);
    }

    /// <summary>A document from a file (or directory) that failed to read is kept: it may still be there.</summary>
    private bool IsKept(IEnumerable<string> sources) =>
        sources.Any(source => _keptSources.Contains(source) || _keptSources.Any(kept => source.StartsWith(kept + "/", StringComparison.Ordinal)));

    private void Fail(string source, string? documentId, IngestionStage stage, string reason) =>
        _counters.Fail(new IngestionError(source, documentId, stage, reason));

    private void Fail(IngestionError error) => _counters.Fail(error);

    internal static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";
}
