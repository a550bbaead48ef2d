using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The outcome of one evaluator on one case: LlamaIndex's <c>EvaluationResult</c> fields, the M.E.AI
/// <see cref="EvaluationResult"/> they were read from, and how the work went (attempts, elapsed time, repetitions).
/// </summary>
/// <remarks>An invalid outcome (<see cref="InvalidResult"/>) is either a reply the evaluator could not read, or a query or
/// evaluation that failed after retries; <see cref="InvalidReason"/> says which, and <see cref="Result"/> is
/// <see langword="null"/> in the second case.</remarks>
public sealed record EvalOutcome
{
    /// <summary>Gets the name of the evaluator, as given to the runner.</summary>
    public required string EvaluatorName { get; init; }

    /// <summary>Gets the position of the case in the input lists.</summary>
    public required int Index { get; init; }

    /// <summary>Gets the query.</summary>
    public required string Query { get; init; }

    /// <summary>Gets the retrieved passages given to the evaluator, or <see langword="null"/> when there were none.</summary>
    public IReadOnlyList<string>? Passages { get; init; }

    /// <summary>Gets the response evaluated, or <see langword="null"/> when the query failed.</summary>
    public string? Response { get; init; }

    /// <summary>Gets whether the response passed; <see langword="null"/> when the evaluator gives no verdict or the outcome is invalid.</summary>
    /// <remarks>With <see cref="BatchEvalOptions.Repeat"/> above 1: the majority verdict of the valid repetitions, <see langword="null"/> on a tie.</remarks>
    public bool? Passing { get; init; }

    /// <summary>Gets the evaluator's explanation (the judge's feedback), if any.</summary>
    public string? Feedback { get; init; }

    /// <summary>Gets the score of the evaluator's primary metric; <see langword="null"/> when invalid.</summary>
    /// <remarks>With <see cref="BatchEvalOptions.Repeat"/> above 1: the mean of the valid repetitions' scores.</remarks>
    public double? Score { get; init; }

    /// <summary>Gets LlamaIndex's <c>pairwise_source</c> for <see cref="PairwiseComparisonEvaluator"/> (<c>original</c>,
    /// <c>flipped</c> or <c>neither</c>); <see langword="null"/> for other evaluators.</summary>
    public string? PairwiseSource { get; init; }

    /// <summary>Gets whether the outcome is invalid (LlamaIndex's <c>invalid_result</c>).</summary>
    public bool InvalidResult { get; init; }

    /// <summary>Gets why the outcome is invalid (LlamaIndex's <c>invalid_reason</c>): the evaluator's diagnostic, or the
    /// failed call's exception type and message.</summary>
    public string? InvalidReason { get; init; }

    /// <summary>Gets the M.E.AI result the fields were read from (the first valid repetition's), or <see langword="null"/>
    /// when no evaluation completed.</summary>
    public EvaluationResult? Result { get; init; }

    /// <summary>Gets the attempts made for this outcome: evaluation attempts summed over repetitions (query attempts
    /// when the query failed).</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the time the evaluation took, summed over repetitions (the query's when it failed).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the score of each repetition in order (one entry without repetition); <see langword="null"/> for an invalid one.</summary>
    public IReadOnlyList<double?> RepetitionScores { get; init; } = [];

    /// <summary>Gets the sample standard deviation of the valid repetitions' scores; <see langword="null"/> with fewer than two.</summary>
    public double? ScoreStdDev { get; init; }
}
