namespace Sluice.Rag;

/// <summary>Settings for <see cref="SentenceSplitter"/>, in tokens of the embedding model's own tokenizer. Every
/// property has a documented, validated default.</summary>
public sealed record SentenceSplitterOptions
{
    /// <summary>Gets the most tokens in one chunk, as the model counts them (for MiniLM, <c>[CLS]</c> and <c>[SEP]</c>
    /// included). Keep it at or under the model's limit so no chunk is truncated.</summary>
    /// <value>Default 240: under MiniLM's 256, so no chunk is ever cut.</value>
    public int ChunkTokens { get; init; } = 240;

    /// <summary>Gets the most tokens of whole sentences repeated from the end of one chunk at the start of the next.</summary>
    /// <value>Default 32; must be less than half of <see cref="ChunkTokens"/>.</value>
    public int OverlapTokens { get; init; } = 32;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public SentenceSplitterOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkTokens, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(OverlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(OverlapTokens, ChunkTokens / 2);
        return this;
    }
}
