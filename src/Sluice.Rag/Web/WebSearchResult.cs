namespace Sluice.Rag;

/// <summary>What a Parallel search returned.</summary>
/// <param name="SearchId">The call's id (also in every document's <see cref="WebDocument.SearchIdKey"/> metadata).</param>
/// <param name="Documents">One document per result, in the API's order: the excerpts joined by blank lines.</param>
public sealed record WebSearchResult(string SearchId, IReadOnlyList<WebDocument> Documents);
