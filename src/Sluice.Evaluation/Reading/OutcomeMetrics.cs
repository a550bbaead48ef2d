using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Builds the metrics of the two outcome shapes every Sluice evaluator uses: scored and invalid.</summary>
internal static class OutcomeMetrics
{
    /// <summary>How many characters of a judge reply an error diagnostic quotes.</summary>
    public const int QuoteLength = 200;

    /// <summary>A numeric metric with an optional pass/fail interpretation.</summary>
    public static NumericMetric Scored(string name, double score, string? reason, bool? passing, EvaluationRating rating)
    {
        var metric = new NumericMetric(name, score, reason);
        if (passing is bool passed)
        {
            metric.Interpretation = new EvaluationMetricInterpretation(rating, failed: !passed);
        }

        return metric;
    }

    /// <summary>A numeric metric with no value and an error diagnostic saying why.</summary>
    public static NumericMetric Invalid(string name, string problem)
    {
        var metric = new NumericMetric(name, value: null, reason: null)
        {
            Interpretation = new EvaluationMetricInterpretation(
                EvaluationRating.Inconclusive, failed: true, reason: "The evaluation produced no valid result."),
        };
        metric.AddDiagnostics(EvaluationDiagnostic.Error(problem));
        return metric;
    }

    /// <summary>An invalid metric for an input the evaluator needs but did not get.</summary>
    public static NumericMetric MissingInput(string name, string input) =>
        Invalid(name, $"{name} needs {input}, which was not supplied.");

    /// <summary>The message for a judge reply that could not be parsed, quoting the reply.</summary>
    public static string UnparseableReply(string problem, string reply) =>
        $"The judge's reply could not be parsed: {problem}. Reply: \"{Quote(reply)}\"";

    /// <summary>The reply cut to <see cref="QuoteLength"/> characters, with an ellipsis when cut.</summary>
    public static string Quote(string reply) =>
        reply.Length <= QuoteLength ? reply : string.Concat(reply.AsSpan(0, QuoteLength), "…");

    /// <summary>The rating for a score normalised to [0, 1].</summary>
    public static EvaluationRating Rate(double normalised) => normalised switch
    {
        >= 0.9 => EvaluationRating.Exceptional,
        >= 0.7 => EvaluationRating.Good,
        >= 0.5 => EvaluationRating.Average,
        >= 0.3 => EvaluationRating.Poor,
        _ => EvaluationRating.Unacceptable,
    };
}
