using System.Globalization;

namespace Sluice.Evaluation;

/// <summary>
/// Aggregate figures of one evaluator's outcomes: counts, mean score with its sample standard deviation and 95 %
/// confidence interval, and the pass rate.
/// </summary>
/// <remarks>Scores and verdicts come from valid outcomes only; an outcome with a score but no verdict counts towards
/// the mean and not towards the pass rate. The interval is Wilson's score interval when every score is 0 or 1 (a hit
/// rate, an exact match: a proportion, whose interval has width even when every case hit), and otherwise Student's t
/// with n − 1 degrees of freedom, cut to the lowest and highest score seen (a mean cannot leave its scores' range).</remarks>
public sealed record EvalSummary
{
    /// <summary>Gets the evaluator's name.</summary>
    public required string EvaluatorName { get; init; }

    /// <summary>Gets the number of outcomes (cases).</summary>
    public int Count { get; init; }

    /// <summary>Gets the number of invalid outcomes.</summary>
    public int InvalidCount { get; init; }

    /// <summary>Gets the number of outcomes with a score.</summary>
    public int ScoredCount { get; init; }

    /// <summary>Gets the number of outcomes with a verdict (passing true or false).</summary>
    public int VerdictCount { get; init; }

    /// <summary>Gets the number of passing outcomes.</summary>
    public int PassingCount { get; init; }

    /// <summary>Gets the mean score; <see langword="null"/> with no score.</summary>
    public double? MeanScore { get; init; }

    /// <summary>Gets the sample standard deviation of the scores (n − 1); <see langword="null"/> with fewer than two.</summary>
    public double? StdDev { get; init; }

    /// <summary>Gets the lower end of the 95 % confidence interval of the mean score (Wilson's for 0/1 scores, else
    /// Student's t cut to the scores' range); <see langword="null"/> with fewer than two scores.</summary>
    public double? ConfidenceLow { get; init; }

    /// <summary>Gets the upper end of the 95 % confidence interval of the mean score; <see langword="null"/> with fewer than two scores.</summary>
    public double? ConfidenceHigh { get; init; }

    /// <summary>Gets <see cref="PassingCount"/> ÷ <see cref="VerdictCount"/>; <see langword="null"/> with no verdict.</summary>
    public double? PassRate { get; init; }

    /// <summary>Gets the mean over cases of the per-case spread of repeated scores (<see cref="EvalOutcome.ScoreStdDev"/>);
    /// <see langword="null"/> without repetition.</summary>
    public double? MeanRepetitionStdDev { get; init; }

    /// <summary>Summarises one evaluator's outcomes.</summary>
    /// <param name="evaluatorName">The evaluator's name.</param>
    /// <param name="outcomes">Its outcomes.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static EvalSummary Compute(string evaluatorName, IReadOnlyList<EvalOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(evaluatorName);
        ArgumentNullException.ThrowIfNull(outcomes);
        var scores = outcomes.Where(static o => !o.InvalidResult && o.Score.HasValue).Select(static o => o.Score!.Value).ToArray();
        var verdicts = outcomes.Where(static o => !o.InvalidResult && o.Passing.HasValue).ToArray();
        var passing = verdicts.Count(static o => o.Passing == true);
        var spreads = outcomes.Where(static o => o.ScoreStdDev.HasValue).Select(static o => o.ScoreStdDev!.Value).ToArray();
        double? mean = scores.Length == 0 ? null : scores.Average();
        double? sd = scores.Length < 2 ? null : SampleStatistics.StdDev(scores);
        (double Low, double High)? interval = sd is null ? null : ConfidenceInterval(scores, mean!.Value, sd.Value);
        return new EvalSummary
        {
            EvaluatorName = evaluatorName,
            Count = outcomes.Count,
            InvalidCount = outcomes.Count(static o => o.InvalidResult),
            ScoredCount = scores.Length,
            VerdictCount = verdicts.Length,
            PassingCount = passing,
            MeanScore = mean,
            StdDev = sd,
            ConfidenceLow = interval?.Low,
            ConfidenceHigh = interval?.High,
            PassRate = verdicts.Length == 0 ? null : (double)passing / verdicts.Length,
            MeanRepetitionStdDev = spreads.Length == 0 ? null : spreads.Average(),
        };
    }

    private static (double Low, double High) ConfidenceInterval(double[] scores, double mean, double sd)
    {
        int n = scores.Length;
        if (scores.All(static x => x is 0 or 1))
        {
            // Wilson score interval for a proportion, z = 1.96.
            const double Z = 1.959963984540054;
            double z2n = Z * Z / n;
            double centre = (mean + z2n / 2) / (1 + z2n);
            double spread = Z / (1 + z2n) * Math.Sqrt((mean * (1 - mean) / n) + (z2n / (4 * n)));
            return (Math.Max(0, centre - spread), Math.Min(1, centre + spread));
        }

        double half = SampleStatistics.TCritical95(n - 1) * sd / Math.Sqrt(n);
        return (Math.Max(scores.Min(), mean - half), Math.Min(scores.Max(), mean + half));
    }

    /// <summary>Summarises every evaluator of a runner's result.</summary>
    /// <param name="results">What <see cref="BatchEvalRunner"/> returned.</param>
    /// <returns>One summary per evaluator, by name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is <see langword="null"/>.</exception>
    public static IReadOnlyDictionary<string, EvalSummary> Compute(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.ToDictionary(static p => p.Key, static p => Compute(p.Key, p.Value), StringComparer.Ordinal);
    }

    /// <summary>One plain-text line: <c>name: n cases, k invalid, mean 0.812 ± sd 0.21 (95% CI 0.78–0.84), pass rate 81.0%</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        static string F(double? v) => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
        var pass = PassRate is double p ? (p * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";
        var spread = MeanRepetitionStdDev is null ? string.Empty : $", repetition spread {F(MeanRepetitionStdDev)}";
        return $"{EvaluatorName}: {Count} cases, {InvalidCount} invalid, mean {F(MeanScore)}, sd {F(StdDev)}, 95% CI [{F(ConfidenceLow)}, {F(ConfidenceHigh)}], pass rate {pass}{spread}";
    }
}
