namespace Sluice.Evaluation.Tests;

public sealed class RetrieverEvaluatorTests
{
    [Fact]
    public async Task Reports_every_metric()
    {
        var evaluator = new RetrieverEvaluator();

        var result = await evaluator.EvaluateAsync([], Inputs.Response(""), additionalContext: [new RetrievedIdsContext(["a", "b", "c", "d"], ["b", "d"])]);

        Assert.Equal(evaluator.EvaluationMetricNames, result.Metrics.Keys);
        Assert.Equal(1.0, EvaluationReading.Read(result, RetrieverEvaluator.HitRateMetricName).Score);
        Assert.Equal(0.5, EvaluationReading.Read(result, RetrieverEvaluator.MrrMetricName).Score);
        Assert.Equal(0.5, EvaluationReading.Read(result, RetrieverEvaluator.PrecisionMetricName).Score);
        Assert.Equal(1.0, EvaluationReading.Read(result, RetrieverEvaluator.RecallMetricName).Score);
        Assert.Equal(0.5, EvaluationReading.Read(result, RetrieverEvaluator.AveragePrecisionMetricName).Score);
        Assert.Equal(0.650921, EvaluationReading.Read(result, RetrieverEvaluator.NdcgMetricName).Score!.Value, 6);
        Assert.Null(EvaluationReading.Read(result, evaluator).Passing);
    }

    [Fact]
    public async Task Without_a_retrieval_context_every_metric_is_invalid()
    {
        var evaluator = new RetrieverEvaluator();

        var result = await evaluator.EvaluateAsync([], Inputs.Response(""));

        Assert.All(evaluator.EvaluationMetricNames, name => Assert.Contains("RetrievedIdsContext", EvaluationReading.Read(result, name).InvalidReason));
    }
}
