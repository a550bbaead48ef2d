namespace Sluice.Evaluation;

/// <summary>
/// Scores the response against a reference answer with <see cref="TextMetrics.ExactMatch"/>; the metric's value is in [0, 1].
/// </summary>
/// <remarks>
/// Needs a <see cref="ReferenceAnswerContext"/>; without one the result is invalid (see <see cref="EvaluationReading"/>).
/// No model is called. It passes on a match (the default threshold 1).
/// </remarks>
public sealed class ExactMatchEvaluator : ReferenceTextEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Exact Match";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="passingThreshold">The lowest passing score, within [0, 1]; defaults to 1 (a match passes, anything else fails). <see langword="null"/> for no pass/fail verdict.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    public ExactMatchEvaluator(double? passingThreshold = 1.0)
        : base(MetricName, TextMetrics.ExactMatch, passingThreshold)
    {
    }
}
