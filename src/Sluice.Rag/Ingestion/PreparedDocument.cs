namespace Sluice.Rag;

/// <summary>A changed document, split and ready to embed: its new version, its chunks and the keys of what the index
/// held for it before this run (deleted once the new version is written).</summary>
internal sealed record PreparedDocument(SourceDocument Document, string Version, IReadOnlyList<DocumentChunk> Chunks, IReadOnlyList<string> OldKeys)
{
    public long Tokens { get; } = Chunks.Sum(c => (long)c.Tokens);
}
