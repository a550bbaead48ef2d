using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Sluice.Rag;

/// <summary>
/// A <c>Microsoft.Extensions.VectorData</c> collection over a <see cref="VectorIndex"/>, so code written against
/// <see cref="VectorStoreCollection{TKey, TRecord}"/> runs on Sluice's index and can swap in any other store.
/// Records are <see cref="IndexRecord"/>s keyed by string; filters are equality on metadata fields joined with
/// <c>&amp;&amp;</c> (<c>r =&gt; r.Metadata["lang"] == "en"</c>); the search input is a vector
/// (<see cref="ReadOnlyMemory{T}"/> of float, float[], <see cref="Embedding{T}"/>) or, with an embedding generator,
/// a string.
/// </summary>
public sealed class SluiceVectorCollection : VectorStoreCollection<string, IndexRecord>
{
    private readonly VectorIndex _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;

    /// <summary>Creates a collection over <paramref name="index"/> (which the caller keeps and disposes).</summary>
    /// <param name="index">The index.</param>
    /// <param name="name">The collection's name.</param>
    /// <param name="generator">Turns string search inputs into vectors; optional.</param>
    public SluiceVectorCollection(VectorIndex index, string name, IEmbeddingGenerator<string, Embedding<float>>? generator = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _index = index;
        Name = name;
        _generator = generator;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        _index.DeleteAsync(_index.Keys(), cancellationToken);

    /// <inheritdoc />
    public override Task<IndexRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Shape(_index.Get(key), options?.IncludeVectors ?? false));

    /// <inheritdoc />
    public override async IAsyncEnumerable<IndexRecord> GetAsync(
        Expression<Func<IndexRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<IndexRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var translated = FilterTranslator.Translate(filter);
        foreach (string key in _index.Keys(translated).Skip(options?.Skip ?? 0).Take(top))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Shape(_index.Get(key), options?.IncludeVectors ?? false) is { } record)
            {
                yield return record;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default) => _index.DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) => _index.DeleteAsync(keys, cancellationToken);

    /// <inheritdoc />
    public override Task UpsertAsync(IndexRecord record, CancellationToken cancellationToken = default) => _index.UpsertAsync([record], cancellationToken);

    /// <inheritdoc />
    public override Task UpsertAsync(IEnumerable<IndexRecord> records, CancellationToken cancellationToken = default) => _index.UpsertAsync(records, cancellationToken);

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<IndexRecord>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<IndexRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        ReadOnlyMemory<float> vector = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            Embedding<float> embedding => embedding.Vector,
            string text when _generator is not null => await _generator.GenerateVectorAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false),
            string => throw new NotSupportedException("Searching by text needs an embedding generator: pass one to the SluiceVectorCollection constructor."),
            _ => throw new NotSupportedException($"Search input of type {typeof(TInput)} is not supported: pass a vector (ReadOnlyMemory<float>, float[], Embedding<float>) or a string."),
        };
        int skip = options?.Skip ?? 0;
        var hits = _index.Search(vector.Span, top + skip, FilterTranslator.Translate(options?.Filter));
        foreach (var hit in hits.Skip(skip))
        {
            if (options?.ScoreThreshold is { } threshold && hit.Score < threshold)
            {
                yield break;
            }

            var record = options?.IncludeVectors == true
                ? _index.Get(hit.Key)!
                : new IndexRecord { Key = hit.Key, Text = hit.Text, Metadata = hit.Metadata, Vector = ReadOnlyMemory<float>.Empty };
            yield return new VectorSearchResult<IndexRecord>(record, hit.Score);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorIndex) ? _index
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private static IndexRecord? Shape(IndexRecord? record, bool includeVectors) =>
        record is null || includeVectors ? record : record with { Vector = ReadOnlyMemory<float>.Empty };
}
