using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

public sealed class EvaluationReadingTests
{
    [Fact]
    public void A_missing_metric_reads_as_invalid()
    {
        var reading = EvaluationReading.Read(new EvaluationResult(), "Nope");

        Assert.True(reading.Invalid);
        Assert.Equal("The result has no metric named 'Nope'.", reading.InvalidReason);
    }

    [Fact]
    public void A_boolean_metric_reads_as_1_or_0()
    {
        var metric = new BooleanMetric("b", true, "fine") { Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Good) };

        Assert.Equal(new MetricReading(true, 1.0, "fine", false, null), EvaluationReading.Read(metric));
    }

    [Fact]
    public void A_metric_without_value_reads_as_invalid()
    {
        var reading = EvaluationReading.Read(new NumericMetric("n"));

        Assert.True(reading.Invalid);
        Assert.Equal("The metric 'n' has no value.", reading.InvalidReason);
    }

    [Fact]
    public void An_error_diagnostic_makes_a_valued_metric_invalid()
    {
        var metric = new NumericMetric("n", 3);
        metric.AddDiagnostics(EvaluationDiagnostic.Warning("just a warning"), EvaluationDiagnostic.Error("broken"));

        Assert.Equal(new MetricReading(null, null, null, true, "broken"), EvaluationReading.Read(metric));
    }

    [Fact]
    public void A_warning_alone_keeps_the_metric_valid()
    {
        var metric = new NumericMetric("n", 3);
        metric.AddDiagnostics(EvaluationDiagnostic.Warning("just a warning"));

        Assert.False(EvaluationReading.Read(metric).Invalid);
    }

    [Fact]
    public void Works_for_metrics_of_other_evaluators()
    {
        var metric = new NumericMetric("Relevance", 4) { Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Good, failed: false) };

        Assert.Equal(new MetricReading(true, 4.0, null, false, null), EvaluationReading.Read(new EvaluationResult(metric), "Relevance"));
    }
}
