using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Turns a parsed judge reply into the evaluator's primary metric.</summary>
internal static class JudgeOutcome
{
    /// <summary>
    /// Builds the metric: invalid (no value, an error quoting the reply) when the parser failed, else
    /// <paramref name="score"/> applied to the parsed value. Records the judge's chat metadata and the contexts used.
    /// </summary>
    public static EvaluationResult Build(
        string metricName,
        JudgeReply reply,
        ParsedReply parsed,
        Func<double, (double Value, double Normalised, bool? Passing)> score,
        params EvaluationContext?[] contextsUsed)
    {
        EvaluationMetric metric;
        if (parsed.IsValid)
        {
            var (value, normalised, passing) = score(parsed.Score);
            metric = OutcomeMetrics.Scored(metricName, value, parsed.Feedback, passing, OutcomeMetrics.Rate(normalised));
        }
        else
        {
            metric = OutcomeMetrics.Invalid(metricName, OutcomeMetrics.UnparseableReply(parsed.Problem!, reply.Text));
        }

        reply.Describe(metric);
        metric.AddOrUpdateContext(contextsUsed.OfType<EvaluationContext>());
        return new EvaluationResult(metric);
    }

    /// <summary>The scoring of a YES/NO or pass/fail verdict: 1 passes, 0 fails.</summary>
    public static (double Value, double Normalised, bool? Passing) Binary(double raw) => (raw, raw, raw >= 1);
}
