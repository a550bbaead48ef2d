using Sluice.AI;

namespace Sluice.Rag;

/// <summary>
/// Everything a <see cref="QueryEngine"/> knows about one query: the <see cref="QueryResponse"/> an
/// <see cref="IQueryEngine"/> caller sees, the hits behind it (keys, scores, metadata), and whether a model generated
/// the response text at all.
/// </summary>
public sealed record QueryAnswer
{
    /// <summary>Gets the query.</summary>
    public required string Query { get; init; }

    /// <summary>Gets the response: the answer, its source passages (the hits' texts, best first) and their source ids
    /// (the hits' document ids, <see cref="QueryEngine.SourceIdOf"/>).</summary>
    public required QueryResponse Response { get; init; }

    /// <summary>Gets the retrieved hits, best first: <see cref="SearchHit.Key"/> is what retrieval metrics compare.</summary>
    public required IReadOnlyList<SearchHit> Hits { get; init; }

    /// <summary>Gets whether a chat model generated <see cref="QueryResponse.Response"/>. <see langword="false"/> when
    /// the engine has no chat model (the response then starts with <see cref="QueryEngine.NoChatModelNotice"/> and
    /// lists the retrieved passages) or nothing with text was retrieved (<see cref="QueryEngine.NothingRetrievedNotice"/>): the
    /// text is then never presented as an answer.</summary>
    public required bool Generated { get; init; }
}
