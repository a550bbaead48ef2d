using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

public sealed class TextEvaluatorTests
{
    [Fact]
    public async Task ExactMatch_passes_on_a_match_by_default()
    {
        var evaluator = new ExactMatchEvaluator();

        var hit = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("The Eiffel Tower."), additionalContext: [new ReferenceAnswerContext("eiffel tower")]);
        var miss = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("Louvre"), additionalContext: [new ReferenceAnswerContext("eiffel tower")]);

        Assert.Equal(new MetricReading(true, 1.0, null, false, null), EvaluationReading.Read(hit, ExactMatchEvaluator.MetricName));
        Assert.Equal(new MetricReading(false, 0.0, null, false, null), EvaluationReading.Read(miss, ExactMatchEvaluator.MetricName));
    }

    [Fact]
    public async Task Score_evaluators_report_the_text_metric_and_no_verdict_by_default()
    {
        EvaluationContext[] reference = [new ReferenceAnswerContext("the cat is on the mat")];
        var response = Inputs.Response("the cat sat on the mat");

        var f1 = await new TokenF1Evaluator().EvaluateAsync([], response, additionalContext: reference);
        var bleu = await new BleuEvaluator().EvaluateAsync([], response, additionalContext: reference);
        var rouge = await new RougeLEvaluator().EvaluateAsync([], response, additionalContext: reference);

        Assert.Equal(0.75, EvaluationReading.Read(f1, TokenF1Evaluator.MetricName).Score!.Value, 6);
        Assert.Equal(0.254066, EvaluationReading.Read(bleu, BleuEvaluator.MetricName).Score!.Value, 6);
        Assert.Equal(5.0 / 6.0, EvaluationReading.Read(rouge, RougeLEvaluator.MetricName).Score!.Value, 6);
        Assert.Null(EvaluationReading.Read(rouge, RougeLEvaluator.MetricName).Passing);
    }

    [Fact]
    public async Task A_threshold_gives_a_verdict()
    {
        EvaluationContext[] reference = [new ReferenceAnswerContext("the cat is on the mat")];

        var result = await new RougeLEvaluator(passingThreshold: 0.8).EvaluateAsync([], Inputs.Response("the cat sat on the mat"), additionalContext: reference);

        Assert.True(EvaluationReading.Read(result, RougeLEvaluator.MetricName).Passing);
    }

    [Fact]
    public async Task A_missing_reference_is_an_invalid_result()
    {
        var result = await new BleuEvaluator().EvaluateAsync([], Inputs.Response("x"));

        var reading = EvaluationReading.Read(result, BleuEvaluator.MetricName);
        Assert.True(reading.Invalid);
        Assert.Contains("ReferenceAnswerContext", reading.InvalidReason);
    }

    [Fact]
    public void A_threshold_outside_0_to_1_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenF1Evaluator(passingThreshold: 1.5));
    }
}
