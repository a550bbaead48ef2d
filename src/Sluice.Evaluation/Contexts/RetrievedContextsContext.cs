using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The context passages a RAG system retrieved for the query, in retrieval order. Needed by
/// <see cref="FaithfulnessEvaluator"/>, <see cref="RelevancyEvaluator"/> and <see cref="ContextRelevancyEvaluator"/>.
/// </summary>
public sealed class RetrievedContextsContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Retrieved Contexts";

    /// <summary>Creates the context from the retrieved passages.</summary>
    /// <param name="contexts">The passages, in retrieval order. May be empty (evaluators that need passages then report an invalid result); entries may not be <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="contexts"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry of <paramref name="contexts"/> is <see langword="null"/>.</exception>
    public RetrievedContextsContext(IEnumerable<string> contexts)
        : this(Snapshot(contexts))
    {
    }

    private RetrievedContextsContext(string[] contexts)
        : base(ContextName, contexts.Select(static c => (AIContent)new TextContent(c)))
    {
        Contexts = contexts;
    }

    /// <summary>Gets the passages, in retrieval order.</summary>
    public IReadOnlyList<string> Contexts { get; }

    private static string[] Snapshot(IEnumerable<string> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        var copy = contexts.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null)
            {
                throw new ArgumentException($"contexts[{i}] is null; every retrieved context must be a string.", nameof(contexts));
            }
        }

        return copy;
    }
}
