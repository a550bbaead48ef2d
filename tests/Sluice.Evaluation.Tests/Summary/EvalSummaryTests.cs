namespace Sluice.Evaluation.Tests;

/// <summary>Summary statistics against values computed by hand.</summary>
public sealed class EvalSummaryTests
{
    private static EvalOutcome Outcome(int index, double? score, bool? passing, bool invalid = false) => new()
    {
        EvaluatorName = "e",
        Index = index,
        Query = "q" + index,
        Score = score,
        Passing = passing,
        InvalidResult = invalid,
    };

    [Fact]
    public void Mean_sd_t_interval_and_pass_rate_match_hand_computation()
    {
        // Scores 1..5: mean 3; sample variance (4+1+0+1+4)/4 = 2.5; sd = 1.5811388;
        // t(0.975, 4) = 2.7764451; half-width = 2.7764451 × 1.5811388 / √5 = 1.9632432.
        // Verdicts: 4 and 5 pass, 1 2 3 fail, one outcome without verdict, one invalid → pass rate 2/5.
        EvalOutcome[] outcomes =
        [
            Outcome(0, 1, false), Outcome(1, 2, false), Outcome(2, 3, false), Outcome(3, 4, true), Outcome(4, 5, true),
            Outcome(5, null, null, invalid: true),
        ];

        var summary = EvalSummary.Compute("e", outcomes);

        Assert.Equal(6, summary.Count);
        Assert.Equal(1, summary.InvalidCount);
        Assert.Equal(5, summary.ScoredCount);
        Assert.Equal(5, summary.VerdictCount);
        Assert.Equal(2, summary.PassingCount);
        Assert.Equal(3.0, summary.MeanScore);
        Assert.Equal(1.5811388, summary.StdDev!.Value, 6);
        Assert.Equal(3 - 1.9632432, summary.ConfidenceLow!.Value, 6);
        Assert.Equal(3 + 1.9632432, summary.ConfidenceHigh!.Value, 6);
        Assert.Equal(0.4, summary.PassRate!.Value, 12);
        Assert.Null(summary.MeanRepetitionStdDev);
    }

    [Fact]
    public void One_score_has_a_mean_but_no_spread_and_none_has_nothing()
    {
        var one = EvalSummary.Compute("e", [Outcome(0, 0.5, null)]);
        Assert.Equal(0.5, one.MeanScore);
        Assert.Null(one.StdDev);
        Assert.Null(one.ConfidenceLow);
        Assert.Null(one.PassRate);

        var none = EvalSummary.Compute("e", []);
        Assert.Equal(0, none.Count);
        Assert.Null(none.MeanScore);
        Assert.Contains("mean n/a", none.ToString());
    }

    [Theory]
    [InlineData(1, 12.706205)]
    [InlineData(30, 2.042272)]
    [InlineData(31, 2.039513)]
    [InlineData(40, 2.021075)]
    [InlineData(100, 1.983972)]
    [InlineData(1000, 1.962339)]
    public void T_critical_values_match_tables(int df, double expected) =>
        Assert.Equal(expected, SampleStatistics.TCritical95(df), 5);
}
