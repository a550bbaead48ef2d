using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Turns a case's finished work (its repetitions, or its failed query) into one <see cref="EvalOutcome"/>.</summary>
internal static class OutcomeAssembly
{
    /// <summary>The outcome of an evaluator on a case whose query failed: invalid, with the query's failure.</summary>
    public static EvalOutcome FromFailedQuery(EvalPlan plan, int evaluator, int index, ItemResult<EvalWork, object> query) => new()
    {
        EvaluatorName = plan.Evaluators.Names[evaluator],
        Index = index,
        Query = plan.Queries[index],
        InvalidResult = true,
        InvalidReason = FailureReason.Describe("query", query.Error!, query.Attempts),
        Attempts = query.Attempts,
        Elapsed = query.Elapsed,
        RepetitionScores = [null],
    };

    /// <summary>The outcome of an evaluator on a case from its repetitions (one without repetition).</summary>
    public static EvalOutcome FromRepetitions(EvalPlan plan, int evaluator, int index, ReadOnlySpan<ItemResult<EvalWork, object>> repetitions)
    {
        var metricName = plan.Evaluators.PrimaryMetrics[evaluator];
        var scores = new double?[repetitions.Length];
        int attempts = 0, passes = 0, fails = 0;
        var elapsed = TimeSpan.Zero;
        (MetricReading Reading, EvaluationResult? Result)? firstValid = null;
        (MetricReading Reading, EvaluationResult? Result)? first = null;
        for (var r = 0; r < repetitions.Length; r++)
        {
            var item = repetitions[r];
            attempts += item.Attempts;
            elapsed += item.Elapsed;
            var result = item.Value as EvaluationResult;
            var reading = item.Error is { } error
                ? new MetricReading(null, null, null, true, FailureReason.Describe("evaluation", error, item.Attempts))
                : EvaluationReading.Read(result!, metricName);
            first ??= (reading, result);
            if (reading.Invalid)
            {
                continue;
            }

            firstValid ??= (reading, result);
            scores[r] = reading.Score;
            if (reading.Passing == true)
            {
                passes++;
            }
            else if (reading.Passing == false)
            {
                fails++;
            }
        }

        var chosen = firstValid ?? first!.Value;
        var valid = scores.Where(static s => s.HasValue).Select(static s => s!.Value).ToArray();
        return new EvalOutcome
        {
            EvaluatorName = plan.Evaluators.Names[evaluator],
            Index = index,
            Query = plan.Queries[index],
            Passages = plan.Passages[index],
            Response = plan.Responses[index],
            Passing = firstValid is null || passes == fails ? null : passes > fails,
            Feedback = chosen.Reading.Feedback,
            Score = valid.Length == 0 ? null : valid.Average(),
            PairwiseSource = PairwiseSource(chosen.Result, metricName),
            InvalidResult = firstValid is null,
            InvalidReason = firstValid is null ? chosen.Reading.InvalidReason : null,
            Result = chosen.Result,
            Attempts = attempts,
            Elapsed = elapsed,
            RepetitionScores = scores,
            ScoreStdDev = valid.Length < 2 ? null : SampleStatistics.StdDev(valid),
        };
    }

    private static string? PairwiseSource(EvaluationResult? result, string metricName) =>
        result is not null
        && result.Metrics.TryGetValue(metricName, out var metric)
        && metric.Metadata?.TryGetValue(PairwiseComparisonEvaluator.SourceMetadataKey, out var source) == true
            ? source
            : null;
}
