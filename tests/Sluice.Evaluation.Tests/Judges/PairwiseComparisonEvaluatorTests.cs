using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

public sealed class PairwiseComparisonEvaluatorTests
{
    // The first reply answers the original order (A = response, B = second response);
    // the second answers the swapped order (A = second response, B = response).
    [Theory]
    [InlineData("[[A]]", "[[B]]", PairwiseVerdict.ResponseBetter, 1.0, true, "original")]
    [InlineData("[[B]]", "[[A]]", PairwiseVerdict.SecondResponseBetter, 0.0, false, "original")]
    [InlineData("[[C]]", "[[C]]", PairwiseVerdict.Tie, 0.5, true, "original")]
    [InlineData("[[A]]", "[[A]]", PairwiseVerdict.Inconclusive, 0.5, null, "neither")]
    [InlineData("[[B]]", "[[B]]", PairwiseVerdict.Inconclusive, 0.5, null, "neither")]
    [InlineData("[[A]]", "[[C]]", PairwiseVerdict.Inconclusive, 0.5, null, "neither")]
    [InlineData("[[C]]", "[[B]]", PairwiseVerdict.Inconclusive, 0.5, null, "neither")]
    public async Task Both_orders_are_combined_in_the_original_frame(
        string originalReply, string swappedReply, PairwiseVerdict verdict, double score, bool? passing, string source)
    {
        var judge = new ScriptedChatClient(originalReply, swappedReply);
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var result = await Evaluate(evaluator);

        var reading = EvaluationReading.Read(result, evaluator);
        Assert.False(reading.Invalid);
        Assert.Equal(score, reading.Score);
        Assert.Equal(passing, reading.Passing);
        Assert.Equal(verdict.ToString(), result.Get<StringMetric>(PairwiseComparisonEvaluator.VerdictMetricName).Value);
        Assert.Equal(source, result.Get<NumericMetric>(PairwiseComparisonEvaluator.MetricName).Metadata![PairwiseComparisonEvaluator.SourceMetadataKey]);
    }

    [Fact]
    public async Task The_answers_are_swapped_in_the_second_call()
    {
        var judge = new ScriptedChatClient("[[A]]", "[[B]]");

        await Evaluate(new PairwiseComparisonEvaluator(judge));

        Assert.Equal(2, judge.Requests.Count);
        var first = judge.Requests[0].Messages[^1].Text;
        var second = judge.Requests[1].Messages[^1].Text;
        Assert.True(first.IndexOf("RESPONSE-ONE", StringComparison.Ordinal) < first.IndexOf("RESPONSE-TWO", StringComparison.Ordinal));
        Assert.True(second.IndexOf("RESPONSE-TWO", StringComparison.Ordinal) < second.IndexOf("RESPONSE-ONE", StringComparison.Ordinal));
        Assert.Contains("REFERENCE", first);
        Assert.Contains("REFERENCE", second);
    }

    [Fact]
    public async Task When_only_the_swapped_order_parses_its_verdict_is_mapped_back_to_the_original_frame()
    {
        // The swapped call prefers its A, which is the second response: in the original frame the second response wins.
        var judge = new ScriptedChatClient("I cannot decide.", "A is better. [[A]]");
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var result = await Evaluate(evaluator);

        var reading = EvaluationReading.Read(result, evaluator);
        Assert.Equal(0.0, reading.Score);
        Assert.False(reading.Passing);
        Assert.Equal(nameof(PairwiseVerdict.SecondResponseBetter), result.Get<StringMetric>(PairwiseComparisonEvaluator.VerdictMetricName).Value);
        var metric = result.Get<NumericMetric>(PairwiseComparisonEvaluator.MetricName);
        Assert.Equal("flipped", metric.Metadata![PairwiseComparisonEvaluator.SourceMetadataKey]);
        var warning = Assert.Single(metric.Diagnostics!);
        Assert.Equal(EvaluationDiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("I cannot decide.", warning.Message);
    }

    [Fact]
    public async Task When_only_the_original_order_parses_its_verdict_stands_with_a_warning()
    {
        var judge = new ScriptedChatClient("[[A]]", "");
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var result = await Evaluate(evaluator);

        var reading = EvaluationReading.Read(result, evaluator);
        Assert.Equal(1.0, reading.Score);
        Assert.True(reading.Passing);
        Assert.Equal("original", result.Get<NumericMetric>(PairwiseComparisonEvaluator.MetricName).Metadata![PairwiseComparisonEvaluator.SourceMetadataKey]);
        Assert.Equal(EvaluationDiagnosticSeverity.Warning, Assert.Single(result.Get<NumericMetric>(PairwiseComparisonEvaluator.MetricName).Diagnostics!).Severity);
    }

    [Fact]
    public async Task When_neither_order_parses_the_result_is_invalid_and_quotes_both_replies()
    {
        var judge = new ScriptedChatClient("garbage one", "garbage two");
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var result = await Evaluate(evaluator);

        var reading = EvaluationReading.Read(result, evaluator);
        Assert.True(reading.Invalid);
        Assert.Contains("garbage one", reading.InvalidReason);
        var diagnostics = result.Get<NumericMetric>(PairwiseComparisonEvaluator.MetricName).Diagnostics!;
        Assert.Equal(2, diagnostics.Count);
        Assert.Contains("garbage two", diagnostics[1].Message);
        Assert.True(EvaluationReading.Read(result, PairwiseComparisonEvaluator.VerdictMetricName).Invalid);
    }

    [Fact]
    public async Task Feedback_names_each_order()
    {
        var judge = new ScriptedChatClient("A is precise. [[A]]", "B is precise. [[B]]");
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var feedback = EvaluationReading.Read(await Evaluate(evaluator), evaluator).Feedback;

        Assert.Equal(
            "Original order (A = response, B = second response): A is precise.\n\nSwapped order (A = second response, B = response): B is precise.",
            feedback);
    }

    [Fact]
    public async Task A_missing_second_response_is_invalid_without_calling_the_judge()
    {
        var judge = new ScriptedChatClient();
        var evaluator = new PairwiseComparisonEvaluator(judge);

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));

        Assert.Contains("SecondResponseContext", EvaluationReading.Read(result, evaluator).InvalidReason);
        Assert.Empty(judge.Requests);
    }

    private static ValueTask<EvaluationResult> Evaluate(PairwiseComparisonEvaluator evaluator) =>
        evaluator.EvaluateAsync(
            Inputs.Query("Which is better?"),
            Inputs.Response("RESPONSE-ONE"),
            additionalContext: [new SecondResponseContext("RESPONSE-TWO"), new ReferenceAnswerContext("REFERENCE")]);
}
