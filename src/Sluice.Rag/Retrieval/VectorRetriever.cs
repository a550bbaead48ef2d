using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// Retrieves the passages most similar to a query from a <see cref="VectorIndex"/>: the query is embedded with the
/// same generator the index was built with, then searched for its top k (with optional metadata filters).
/// <see cref="RetrieveManyAsync"/> serves many queries at once: it embeds them in groups and scores them all with one
/// batched <see cref="VectorIndex.SearchManyAsync"/>, so the index's matrix is read once per block of queries.
/// </summary>
/// <remarks>Thread-safe: it holds no state of its own beyond its settings. It does not own the index or the generator
/// and never disposes them.</remarks>
public sealed class VectorRetriever
{
    private readonly VectorIndex _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;

    /// <summary>Creates a retriever.</summary>
    /// <param name="index">The index to search.</param>
    /// <param name="generator">The generator the index's vectors were made with (for example the local MiniLM
    /// generator); its vectors must have the index's dimensions.</param>
    /// <param name="options">Settings; defaults (top 4, no filter) when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> or <paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public VectorRetriever(VectorIndex index, IEmbeddingGenerator<string, Embedding<float>> generator, RetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(generator);
        _index = index;
        _generator = generator;
        Options = (options ?? new RetrieverOptions()).Validate();
    }

    /// <summary>Gets the settings in force.</summary>
    public RetrieverOptions Options { get; }

    /// <summary>Retrieves the passages for one query.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="filter">Metadata conditions for this call; <see cref="RetrieverOptions.Filter"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the embedding call.</param>
    /// <returns>At most <see cref="RetrieverOptions.TopK"/> hits, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The generator returned no vector, or one of other dimensions than the index's.</exception>
    public async Task<IReadOnlyList<SearchHit>> RetrieveAsync(string query, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var vectors = await EmbedAsync([query], 0, cancellationToken).ConfigureAwait(false);
        return _index.Search(vectors[0].Span, Options.TopK, filter ?? Options.Filter);
    }

    /// <summary>Retrieves the passages for many queries: embedded in groups of
    /// <see cref="RetrieverOptions.EmbeddingGroupSize"/>, then searched in one batched pass.</summary>
    /// <param name="queries">The query texts.</param>
    /// <param name="filter">Metadata conditions for every query of this call; <see cref="RetrieverOptions.Filter"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between embedding calls and between query blocks of the search.</param>
    /// <returns>One list of hits per query, in query order; each exactly what <see cref="RetrieveAsync"/> returns for it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A query is <see langword="null"/>; the message gives its index.</exception>
    /// <exception cref="InvalidOperationException">The generator returned the wrong number of vectors, or vectors of other dimensions than the index's.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<SearchHit>>> RetrieveManyAsync(
        IReadOnlyList<string> queries, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        for (int i = 0; i < queries.Count; i++)
        {
            if (queries[i] is null)
            {
                throw new ArgumentException($"queries[{i}] is null; every query must be a string.", nameof(queries));
            }
        }

        if (queries.Count == 0)
        {
            return [];
        }

        var vectors = new List<ReadOnlyMemory<float>>(queries.Count);
        for (int first = 0; first < queries.Count; first += Options.EmbeddingGroupSize)
        {
            int count = Math.Min(Options.EmbeddingGroupSize, queries.Count - first);
            var group = new string[count];
            for (int i = 0; i < count; i++)
            {
                group[i] = queries[first + i];
            }

            vectors.AddRange(await EmbedAsync(group, first, cancellationToken).ConfigureAwait(false));
        }

        return await _index.SearchManyAsync(vectors, Options.TopK, filter ?? Options.Filter, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReadOnlyMemory<float>[]> EmbedAsync(string[] texts, int offset, CancellationToken cancellationToken)
    {
        var embeddings = await _generator.GenerateAsync(texts, null, cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException(
                $"The embedding generator returned {embeddings.Count} vectors for {texts.Length} queries (queries {offset} to {offset + texts.Length - 1}).");
        }

        int dimensions = _index.Options.Dimensions;
        var vectors = new ReadOnlyMemory<float>[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            var vector = embeddings[i].Vector;
            if (vector.Length != dimensions)
            {
                throw new InvalidOperationException(
                    $"The embedding generator returned a {vector.Length}-dimensional vector for query {offset + i}; the index holds {dimensions}. Use the generator the index was built with.");
            }

            vectors[i] = vector;
        }

        return vectors;
    }
}
