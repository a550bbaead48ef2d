namespace Sluice.Evaluation;

/// <summary>
/// Answers a query, as a RAG system does: the answer text and the passages it was built from
/// (LlamaIndex's <c>BaseQueryEngine.aquery</c>). <see cref="BatchEvalRunner.EvaluateQueriesAsync"/> calls it once per query.
/// </summary>
/// <remarks>Implementations must be safe to call concurrently: the runner calls up to <see cref="BatchEvalRunner.Workers"/> at once.</remarks>
public interface IQueryEngine
{
    /// <summary>Answers <paramref name="query"/>.</summary>
    /// <param name="query">The question.</param>
    /// <param name="cancellationToken">Cancelled when the run stops.</param>
    /// <returns>The answer and its source passages.</returns>
    Task<QueryResponse> QueryAsync(string query, CancellationToken cancellationToken);
}
