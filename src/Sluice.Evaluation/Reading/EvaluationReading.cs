using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Reads LlamaIndex's fields (passing, score, feedback, invalid result and reason) from any
/// <see cref="EvaluationResult"/>, whichever evaluator produced it.
/// </summary>
/// <remarks>
/// Every Sluice evaluator follows one convention: its primary metric is named by the evaluator's <c>MetricName</c>
/// constant and is the first of its <see cref="IEvaluator.EvaluationMetricNames"/>; the metric's value is the score;
/// its <see cref="EvaluationMetric.Interpretation"/> (when present) tells passing through
/// <see cref="EvaluationMetricInterpretation.Failed"/>; an invalid outcome is a metric with no value and an
/// <see cref="EvaluationDiagnosticSeverity.Error"/> diagnostic that says why.
/// </remarks>
public static class EvaluationReading
{
    /// <summary>Reads the metric named <paramref name="metricName"/> from <paramref name="result"/>.</summary>
    /// <param name="result">The evaluation result.</param>
    /// <param name="metricName">The metric to read, for example <see cref="FaithfulnessEvaluator.MetricName"/>.</param>
    /// <returns>The reading. A missing metric reads as invalid, never as an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> or <paramref name="metricName"/> is <see langword="null"/>.</exception>
    public static MetricReading Read(EvaluationResult result, string metricName)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metricName);

        if (!result.Metrics.TryGetValue(metricName, out var metric))
        {
            return new MetricReading(null, null, null, true, $"The result has no metric named '{metricName}'.");
        }

        return Read(metric);
    }

    /// <summary>Reads the primary metric of <paramref name="evaluator"/> (the first of its metric names) from <paramref name="result"/>.</summary>
    /// <param name="result">A result produced by <paramref name="evaluator"/>.</param>
    /// <param name="evaluator">The evaluator that produced it.</param>
    /// <returns>The reading.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="evaluator"/> declares no metric names.</exception>
    public static MetricReading Read(EvaluationResult result, IEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var name = evaluator.EvaluationMetricNames.FirstOrDefault()
            ?? throw new ArgumentException("The evaluator declares no metric names.", nameof(evaluator));
        return Read(result, name);
    }

    /// <summary>Reads one metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The reading.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metric"/> is <see langword="null"/>.</exception>
    public static MetricReading Read(EvaluationMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);

        var error = metric.Diagnostics?.FirstOrDefault(static d => d.Severity == EvaluationDiagnosticSeverity.Error);
        if (error is not null)
        {
            return new MetricReading(null, null, metric.Reason, true, error.Message);
        }

        var (hasValue, score) = metric switch
        {
            NumericMetric n => (n.Value.HasValue, n.Value),
            BooleanMetric b => (b.Value.HasValue, b.Value is bool v ? (v ? 1.0 : 0.0) : (double?)null),
            StringMetric s => (s.Value is not null, (double?)null),
            _ => (false, (double?)null),
        };

        if (!hasValue)
        {
            return new MetricReading(null, null, metric.Reason, true, $"The metric '{metric.Name}' has no value.");
        }

        var interpretation = metric.Interpretation;
        bool? passing = interpretation is null || interpretation.Rating == EvaluationRating.Inconclusive
            ? null
            : !interpretation.Failed;
        return new MetricReading(passing, score, metric.Reason, false, null);
    }
}
