using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The ids a retriever returned, in rank order, and the ids that should have been returned. Needed by
/// <see cref="RetrieverEvaluator"/>.
/// </summary>
public sealed class RetrievedIdsContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Retrieved Ids";

    /// <summary>Creates the context. Both lists are validated as <see cref="RetrievalMetrics"/> validates them.</summary>
    /// <param name="retrievedIds">The retrieved ids, best first. Not empty; no <see langword="null"/> entries.</param>
    /// <param name="expectedIds">The relevant ids, in any order. Not empty; no <see langword="null"/> entries.</param>
    /// <exception cref="ArgumentException">A list is <see langword="null"/>, empty or holds a <see langword="null"/> entry; the message names it.</exception>
    public RetrievedIdsContext(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds)
        : this(RetrievalMetrics.Validate(retrievedIds, nameof(retrievedIds)), RetrievalMetrics.Validate(expectedIds, nameof(expectedIds)))
    {
    }

    private RetrievedIdsContext(string[] retrievedIds, string[] expectedIds)
        : base(
            ContextName,
            new TextContent("retrieved: " + string.Join(", ", retrievedIds)),
            new TextContent("expected: " + string.Join(", ", expectedIds)))
    {
        RetrievedIds = retrievedIds;
        ExpectedIds = expectedIds;
    }

    /// <summary>Gets the retrieved ids, best first, as given (duplicates included).</summary>
    public IReadOnlyList<string> RetrievedIds { get; }

    /// <summary>Gets the relevant ids, as given.</summary>
    public IReadOnlyList<string> ExpectedIds { get; }
}
