namespace Sluice.Evaluation;

/// <summary>
/// Scores the response against a reference answer with <see cref="TextMetrics.TokenF1"/>; the metric's value is in [0, 1].
/// </summary>
/// <remarks>
/// Needs a <see cref="ReferenceAnswerContext"/>; without one the result is invalid (see <see cref="EvaluationReading"/>).
/// No model is called. Like LlamaIndex's text metrics it has no pass/fail verdict unless a threshold is given.
/// </remarks>
public sealed class TokenF1Evaluator : ReferenceTextEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Token F1";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="passingThreshold">The lowest passing score, within [0, 1]; <see langword="null"/> (the default) for no pass/fail verdict.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    public TokenF1Evaluator(double? passingThreshold = null)
        : base(MetricName, TextMetrics.TokenF1, passingThreshold)
    {
    }
}
