using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The second response that <see cref="PairwiseComparisonEvaluator"/> compares the evaluated response against
/// (LlamaIndex's <c>second_response</c>).
/// </summary>
public sealed class SecondResponseContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Second Response";

    /// <summary>Creates the context.</summary>
    /// <param name="secondResponse">The other response to the same query.</param>
    /// <exception cref="ArgumentNullException"><paramref name="secondResponse"/> is <see langword="null"/>.</exception>
    public SecondResponseContext(string secondResponse)
        : base(ContextName, secondResponse ?? throw new ArgumentNullException(nameof(secondResponse)))
    {
        SecondResponse = secondResponse;
    }

    /// <summary>Gets the other response.</summary>
    public string SecondResponse { get; }
}
