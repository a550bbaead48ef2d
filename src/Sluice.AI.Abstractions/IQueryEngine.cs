namespace Sluice.AI;

/// <summary>
/// Answers a query, as a RAG system does: the answer text and the passages it was built from
/// (LlamaIndex's <c>BaseQueryEngine.aquery</c>). Sluice's evaluation runner calls it once per query
/// (<c>BatchEvalRunner.EvaluateQueriesAsync</c>); a retrieval library implements it without referencing the evaluation layer.
/// </summary>
/// <remarks>Implementations must be safe to call concurrently: a caller such as the evaluation runner calls it from many workers at once.</remarks>
public interface IQueryEngine
{
    /// <summary>Answers <paramref name="query"/>.</summary>
    /// <param name="query">The question.</param>
    /// <param name="cancellationToken">Cancelled when the caller stops.</param>
    /// <returns>The answer and its source passages.</returns>
    Task<QueryResponse> QueryAsync(string query, CancellationToken cancellationToken);
}
