namespace Sluice.Rag;

/// <summary>One document as a reader produced it, before splitting.</summary>
public sealed record SourceDocument
{
    /// <summary>Gets the document's identity: its path relative to the corpus root (with <c>/</c> separators) for a
    /// file, or the value of the id field for a JSON Lines record. Re-ingesting a document with the same id replaces it.</summary>
    public required string Id { get; init; }

    /// <summary>Gets where the document came from: the file's path relative to the corpus root (for JSON Lines, the
    /// file holding the record).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the document's title: the HTML <c>&lt;title&gt;</c>, the PDF's title, a Markdown file's first
    /// heading, a JSON Lines record's title field, else the file name.</summary>
    /// <value>Default empty.</value>
    public string Title { get; init; } = "";

    /// <summary>Gets the text to split and embed.</summary>
    public required string Text { get; init; }
}
