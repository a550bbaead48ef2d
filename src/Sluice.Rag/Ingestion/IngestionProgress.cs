namespace Sluice.Rag;

/// <summary>Counts of an ingestion run so far, per stage (read, split, embed, write).</summary>
public sealed record IngestionProgress
{
    /// <summary>Gets the documents read (a JSON Lines record is one document).</summary>
    public long DocumentsRead { get; init; }

    /// <summary>Gets the documents split into chunks (an unchanged document is never split).</summary>
    public long DocumentsSplit { get; init; }

    /// <summary>Gets the documents skipped because the index already holds their version.</summary>
    public long DocumentsUnchanged { get; init; }

    /// <summary>Gets the documents whose new version was written (and old version deleted).</summary>
    public long DocumentsWritten { get; init; }

    /// <summary>Gets the errors so far: files that failed to read, documents that failed to split, embed or write.</summary>
    public long Errors { get; init; }

    /// <summary>Gets the chunks produced by splitting changed documents.</summary>
    public long Chunks { get; init; }

    /// <summary>Gets the chunks whose vector came from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary>Gets the texts sent to the embedding model.</summary>
    public long TextsEmbedded { get; init; }

    /// <summary>Gets the calls made to the embedding generator.</summary>
    public long EmbeddingCalls { get; init; }

    /// <summary>Gets the chunks written into the index.</summary>
    public long ChunksWritten { get; init; }

    /// <summary>Gets the documents deleted because the run did not see them (<see cref="IngestionOptions.Prune"/>).</summary>
    public long DocumentsPruned { get; init; }

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the latest error, or <see langword="null"/>.</summary>
    public IngestionError? LastError { get; init; }
}
