namespace Sluice.Rag;

/// <summary>Settings for <see cref="VectorRetriever"/>. Every property has a documented, validated default.</summary>
public sealed record RetrieverOptions
{
    /// <summary>Gets how many passages a query retrieves at most, best first.</summary>
    /// <value>Default 4. Must be positive.</value>
    public int TopK { get; init; } = 4;

    /// <summary>Gets the metadata conditions every retrieved passage must meet, unless a call gives its own.</summary>
    /// <value>Default <see langword="null"/>: no filter.</value>
    public MetadataFilter? Filter { get; init; }

    /// <summary>Gets how many queries <see cref="VectorRetriever.RetrieveManyAsync"/> hands the embedding generator in
    /// one call (one <see cref="VectorIndex.SearchManyAsync"/> then scores all of them at once).</summary>
    /// <value>Default 512. Must be positive. The local generator splits a call into its own groups by size; a remote
    /// one sends one request per call, so this is also the request size there.</value>
    public int EmbeddingGroupSize { get; init; } = 512;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public RetrieverOptions Validate()
    {
        if (TopK <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"RetrieverOptions.{nameof(TopK)} must be at least 1; it was {TopK}.");
        }

        if (EmbeddingGroupSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingGroupSize), EmbeddingGroupSize,
                $"RetrieverOptions.{nameof(EmbeddingGroupSize)} must be at least 1; it was {EmbeddingGroupSize}.");
        }

        return this;
    }
}
