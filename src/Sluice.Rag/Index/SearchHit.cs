namespace Sluice.Rag;

/// <summary>One search result.</summary>
/// <param name="Key">The record's key.</param>
/// <param name="Score">The cosine similarity to the query, in [-1, 1].</param>
/// <param name="Text">The record's text.</param>
/// <param name="Metadata">The record's metadata.</param>
public sealed record SearchHit(string Key, float Score, string Text, IReadOnlyDictionary<string, string> Metadata);
