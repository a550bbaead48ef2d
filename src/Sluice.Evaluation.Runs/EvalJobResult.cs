namespace Sluice.Evaluation.Runs;

/// <summary>What an <see cref="EvalJob"/> did: the figures also written to <c>summary.json</c>.</summary>
public sealed record EvalJobResult
{
    /// <summary>Gets the run directory.</summary>
    public required EvalRunDirectory Directory { get; init; }

    /// <summary>Gets the number of cases in the dataset.</summary>
    public required int Cases { get; init; }

    /// <summary>Gets the evaluators run, in report order.</summary>
    public required IReadOnlyList<string> Evaluators { get; init; }

    /// <summary>Gets the evaluators skipped, with the reason.</summary>
    public required IReadOnlyList<SkippedEvaluator> Skipped { get; init; }

    /// <summary>Gets one summary per evaluator run, over every case (journalled by an earlier, resumed run or by this one).
    /// Its mean and confidence interval are over <see cref="EvalSummary.ScoredCount"/> valid scores.</summary>
    public required IReadOnlyList<EvalSummary> Metrics { get; init; }

    /// <summary>Gets how many outcomes an earlier run had journalled (0 for a new run).</summary>
    public required int ResumedOutcomes { get; init; }

    /// <summary>Gets the time this run took.</summary>
    public required TimeSpan Elapsed { get; init; }
}
