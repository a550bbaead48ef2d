namespace Sluice.Rag;

/// <summary>
/// A document that came from the web: its text and its metadata (<see cref="UrlKey"/>, <see cref="TitleKey"/>,
/// <see cref="PublishDateKey"/>, <see cref="SearchIdKey"/> or <see cref="ExtractIdKey"/>, and for pages read directly
/// <see cref="FinalUrlKey"/> and <see cref="ContentTypeKey"/>). Its <see cref="Id"/> is the URL asked for.
/// </summary>
public sealed record WebDocument
{
    /// <summary>The metadata key of the URL the document was asked for.</summary>
    public const string UrlKey = "url";

    /// <summary>The metadata key of the page's title (absent when the page has none).</summary>
    public const string TitleKey = "title";

    /// <summary>The metadata key of the publication date the provider gave (absent when it gave none).</summary>
    public const string PublishDateKey = "publish_date";

    /// <summary>The metadata key of the Parallel search call's id.</summary>
    public const string SearchIdKey = "search_id";

    /// <summary>The metadata key of the Parallel extract call's id.</summary>
    public const string ExtractIdKey = "extract_id";

    /// <summary>The metadata key of the URL the content was finally read from, after redirects.</summary>
    public const string FinalUrlKey = "final_url";

    /// <summary>The metadata key of the response's media type (for example <c>text/html</c>).</summary>
    public const string ContentTypeKey = "content_type";

    /// <summary>Gets the document's identity: the URL it was asked for.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the text: the page body as received (HTML stays HTML: an ingestion reader parses it), or the
    /// provider's full content or excerpts.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the metadata, field name to value.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
