namespace Sluice.Rag;

/// <summary>One failure of one file or document; the run goes on past it.</summary>
/// <param name="Source">The file, relative to the corpus root (for a JSON Lines record, the file; the reason names the line).</param>
/// <param name="DocumentId">The document's id when it was known, else <see langword="null"/>.</param>
/// <param name="Stage">The stage that failed.</param>
/// <param name="Reason">What went wrong, in words.</param>
public sealed record IngestionError(string Source, string? DocumentId, IngestionStage Stage, string Reason);
