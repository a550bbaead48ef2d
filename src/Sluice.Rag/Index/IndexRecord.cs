namespace Sluice.Rag;

/// <summary>One entry of a <see cref="VectorIndex"/>: a key, its text (a chunk), equality-filterable metadata and its vector.</summary>
public sealed record IndexRecord
{
    /// <summary>Gets the unique key.</summary>
    public required string Key { get; init; }

    /// <summary>Gets the text the vector was made from.</summary>
    /// <value>Default empty.</value>
    public string Text { get; init; } = "";

    /// <summary>Gets the metadata: field name to value, matched by <see cref="MetadataFilter"/> with ordinal equality.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the vector (any length-scale: the index compares directions, by cosine).</summary>
    public required ReadOnlyMemory<float> Vector { get; init; }
}
