namespace Sluice.Rag;

/// <summary>One chunk of a document: the text that is embedded and stored, and where it came from.</summary>
public sealed record DocumentChunk
{
    /// <summary>Gets the document's id (<see cref="SourceDocument.Id"/>).</summary>
    public required string DocumentId { get; init; }

    /// <summary>Gets the document's source file (<see cref="SourceDocument.Source"/>).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the document's title.</summary>
    /// <value>Default empty.</value>
    public string Title { get; init; } = "";

    /// <summary>Gets the chunk's zero-based position in its document.</summary>
    public required int Position { get; init; }

    /// <summary>Gets the chunk's text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the chunk's length in the model's tokens (as the splitter's counter measures <see cref="Text"/>).</summary>
    public int Tokens { get; init; }
}
