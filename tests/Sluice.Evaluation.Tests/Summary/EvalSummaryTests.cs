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
    public void A_proportion_gets_Wilsons_interval_with_width_even_at_every_hit()
    {
        // 20 hits of 20: Wilson 95 % = [20/(20 + z²), 1] = [0.8389, 1]; a t-interval would be [1, 1].
        var all = EvalSummary.Compute("hit_rate", Enumerable.Range(0, 20).Select(i => Outcome(i, 1, null)).ToArray());
        Assert.Equal(0.8388748, all.ConfidenceLow!.Value, 6);
        Assert.Equal(1.0, all.ConfidenceHigh!.Value, 12);

        // 8 of 10: centre (0.8 + 0.19207)/1.38415 = 0.71672, spread 0.22656 → [0.49016, 0.94332].
        var some = EvalSummary.Compute("hit_rate", Enumerable.Range(0, 10).Select(i => Outcome(i, i < 8 ? 1 : 0, null)).ToArray());
        Assert.Equal(0.49016, some.ConfidenceLow!.Value, 4);
        Assert.Equal(0.94332, some.ConfidenceHigh!.Value, 4);
    }

    [Fact]
    public void A_t_interval_stays_within_the_scores_range()
    {
        // Scores 1, 1, 1, 0.5: mean 0.875, sd 0.25, t(3) = 3.182446, half-width 0.397806 → [0.477, 1.273], cut to
        // the scores' range [0.5, 1].
        var summary = EvalSummary.Compute("mrr", [Outcome(0, 1, null), Outcome(1, 1, null), Outcome(2, 1, null), Outcome(3, 0.5, null)]);
        Assert.Equal(0.5, summary.ConfidenceLow!.Value, 12);
        Assert.Equal(1.0, summary.ConfidenceHigh!.Value, 12);
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
