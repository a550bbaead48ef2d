using System.Collections.Concurrent;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>A query engine whose answer (or exception) comes from a function of the query; records calls and concurrency.</summary>
internal sealed class FakeQueryEngine(Func<string, CancellationToken, Task<QueryResponse>> answer, ConcurrencyProbe? probe = null) : IQueryEngine
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public static FakeQueryEngine Echo(ConcurrencyProbe? probe = null) =>
        new((q, _) => Task.FromResult(new QueryResponse("answer to " + q, ["passage for " + q])), probe);

    public async Task<QueryResponse> QueryAsync(string query, CancellationToken cancellationToken)
    {
        Calls.Enqueue(query);
        using var _ = probe?.Enter();
        return await answer(query, cancellationToken);
    }
}
