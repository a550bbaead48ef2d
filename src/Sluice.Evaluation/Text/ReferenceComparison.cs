using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>The shared body of the text-metric evaluators: score the response against the reference answer.</summary>
internal static class ReferenceComparison
{
    public static EvaluationResult Evaluate(
        string metricName,
        ChatResponse modelResponse,
        IEnumerable<EvaluationContext>? additionalContext,
        Func<string, string, double> score,
        double? passingThreshold)
    {
        var response = EvaluationInputs.Response(modelResponse);
        var reference = EvaluationInputs.Find<ReferenceAnswerContext>(additionalContext);
        if (reference is null)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(metricName, "a ReferenceAnswerContext"));
        }

        var value = score(response, reference.ReferenceAnswer);
        var passing = passingThreshold is double t ? value >= t : (bool?)null;
        var metric = OutcomeMetrics.Scored(metricName, value, reason: null, passing, OutcomeMetrics.Rate(value));
        metric.AddOrUpdateContext(reference);
        return new EvaluationResult(metric);
    }
}
