namespace Sluice.Evaluation;

/// <summary>
/// LlamaIndex's view of one metric: whether it passed, its score, the judge's feedback, and whether the result is
/// invalid (and why). Produced by <see cref="EvaluationReading"/>.
/// </summary>
/// <param name="Passing"><see langword="true"/> or <see langword="false"/> when the metric has a pass/fail interpretation; <see langword="null"/> when it has none, is inconclusive, or is invalid.</param>
/// <param name="Score">The metric's numeric value (a boolean counts as 1 or 0); <see langword="null"/> when invalid or not numeric.</param>
/// <param name="Feedback">The metric's <c>Reason</c> (for judges: the judge's explanation), if any.</param>
/// <param name="Invalid"><see langword="true"/> when the metric is missing, has no value, or carries an error diagnostic.</param>
/// <param name="InvalidReason">Why the result is invalid (the first error diagnostic's message), else <see langword="null"/>.</param>
public readonly record struct MetricReading(
    bool? Passing,
    double? Score,
    string? Feedback,
    bool Invalid,
    string? InvalidReason);
