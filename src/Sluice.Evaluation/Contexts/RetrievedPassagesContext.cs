using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The passages a RAG system retrieved for the query, in retrieval order. Needed by
/// <see cref="FaithfulnessEvaluator"/>, <see cref="RelevancyEvaluator"/> and <see cref="ContextRelevancyEvaluator"/>.
/// </summary>
public sealed class RetrievedPassagesContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Retrieved Passages";

    /// <summary>Creates the context from the retrieved passages.</summary>
    /// <param name="passages">The passages, in retrieval order. May be empty (evaluators that need passages then report an invalid result); entries may not be <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="passages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry of <paramref name="passages"/> is <see langword="null"/>.</exception>
    public RetrievedPassagesContext(IEnumerable<string> passages)
        : this(Snapshot(passages))
    {
    }

    private RetrievedPassagesContext(string[] passages)
        : base(ContextName, passages.Select(static p => (AIContent)new TextContent(p)))
    {
        Passages = passages;
    }

    /// <summary>Gets the passages, in retrieval order.</summary>
    public IReadOnlyList<string> Passages { get; }

    private static string[] Snapshot(IEnumerable<string> passages)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var copy = passages.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null)
            {
                throw new ArgumentException($"passages[{i}] is null; every retrieved passage must be a string.", nameof(passages));
            }
        }

        return copy;
    }
}
