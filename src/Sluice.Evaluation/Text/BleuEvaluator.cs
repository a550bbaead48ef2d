namespace Sluice.Evaluation;

/// <summary>
/// Scores the response against a reference answer with <see cref="TextMetrics.Bleu"/>; the metric's value is in [0, 1].
/// </summary>
/// <remarks>
/// Needs a <see cref="ReferenceAnswerContext"/>; without one the result is invalid (see <see cref="EvaluationReading"/>).
/// No model is called. It has no pass/fail verdict unless a threshold is given.
/// </remarks>
public sealed class BleuEvaluator : ReferenceTextEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "BLEU";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="passingThreshold">The lowest passing score, within [0, 1]; <see langword="null"/> (the default) for no pass/fail verdict.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    public BleuEvaluator(double? passingThreshold = null)
        : base(MetricName, TextMetrics.Bleu, passingThreshold)
    {
    }
}
