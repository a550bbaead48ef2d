using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The reference ("gold") answer a response is compared against. Needed by <see cref="SemanticSimilarityEvaluator"/>
/// and the text metrics; optional for <see cref="CorrectnessEvaluator"/> and <see cref="PairwiseComparisonEvaluator"/>.
/// </summary>
public sealed class ReferenceAnswerContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Reference Answer";

    /// <summary>Creates the context.</summary>
    /// <param name="referenceAnswer">The reference answer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="referenceAnswer"/> is <see langword="null"/>.</exception>
    public ReferenceAnswerContext(string referenceAnswer)
        : base(ContextName, referenceAnswer ?? throw new ArgumentNullException(nameof(referenceAnswer)))
    {
        ReferenceAnswer = referenceAnswer;
    }

    /// <summary>Gets the reference answer.</summary>
    public string ReferenceAnswer { get; }
}
