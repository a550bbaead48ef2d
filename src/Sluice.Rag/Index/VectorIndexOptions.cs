namespace Sluice.Rag;

/// <summary>Settings for <see cref="VectorIndex"/>. Every property has a documented, validated default.</summary>
public sealed record VectorIndexOptions
{
    /// <summary>Gets the length of every vector. A file remembers its dimensions; opening it with others is an error.</summary>
    /// <value>Default 384 (all-MiniLM-L6-v2).</value>
    public int Dimensions { get; init; } = 384;

    /// <summary>Gets whether the in-memory matrix holds int8 codes (one scale per vector) instead of floats: 4× less
    /// memory and faster search (scored in integers), slightly lower recall. The file always keeps the float vectors, so this can be switched at any reopen.</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool Int8 { get; init; }

    /// <summary>Gets how many queries <see cref="VectorIndex.SearchMany"/> scores against each row while the row is in
    /// cache: the matrix is read once per block of queries instead of once per query.</summary>
    /// <value>Default 32.</value>
    public int QueryBlockSize { get; init; } = 32;

    /// <summary>Gets how many threads one search may use (rows are split between them).</summary>
    /// <value>Default <see cref="Environment.ProcessorCount"/>.</value>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public VectorIndexOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QueryBlockSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Parallelism);
        return this;
    }
}
