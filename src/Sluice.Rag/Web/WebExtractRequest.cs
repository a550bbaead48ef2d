namespace Sluice.Rag;

/// <summary>How <see cref="ParallelWebClient.ExtractAsync"/> extracts pages.</summary>
public sealed record WebExtractRequest
{
    /// <summary>Gets an objective that focuses the excerpts, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Objective { get; init; }

    /// <summary>Gets whether to ask for excerpts.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Excerpts { get; init; } = true;

    /// <summary>Gets whether to ask for each page's full content (the document's text when present).</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool FullContent { get; init; }
}
