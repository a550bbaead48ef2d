namespace Sluice.Rag;

/// <summary>What a reader produced for one document or one failed file: exactly one of <see cref="Document"/> and
/// <see cref="Error"/> is set.</summary>
public sealed record ReadOutcome
{
    private ReadOutcome(SourceDocument? document, IngestionError? error)
    {
        Document = document;
        Error = error;
    }

    /// <summary>Gets the document, or <see langword="null"/> when reading failed.</summary>
    public SourceDocument? Document { get; }

    /// <summary>Gets the failure (stage <see cref="IngestionStage.Read"/>), or <see langword="null"/>.</summary>
    public IngestionError? Error { get; }

    /// <summary>An outcome holding <paramref name="document"/>.</summary>
    /// <param name="document">The document.</param>
    /// <returns>The outcome.</returns>
    public static ReadOutcome Of(SourceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new(document, null);
    }

    /// <summary>An outcome saying <paramref name="source"/> could not be read.</summary>
    /// <param name="source">The file (relative to the corpus root).</param>
    /// <param name="reason">Why, in words.</param>
    /// <param name="documentId">The document's id when known.</param>
    /// <returns>The outcome.</returns>
    public static ReadOutcome Failed(string source, string reason, string? documentId = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(reason);
        return new(null, new IngestionError(source, documentId, IngestionStage.Read, reason));
    }
}
