using System.Text.Json.Serialization;

namespace Sluice.Evaluation;

/// <summary>
/// One exported outcome: the flat fields of an <see cref="EvalOutcome"/> (without the M.E.AI result object), as one
/// JSONL line or one CSV row. Property names in JSON and CSV headers are snake_case.
/// </summary>
public sealed record EvalRecord
{
    /// <summary>Gets the evaluator's name.</summary>
    [JsonPropertyName("evaluator")] public required string Evaluator { get; init; }

    /// <summary>Gets the position of the case in the input.</summary>
    [JsonPropertyName("index")] public int Index { get; init; }

    /// <summary>Gets the query.</summary>
    [JsonPropertyName("query")] public required string Query { get; init; }

    /// <summary>Gets the response, or <see langword="null"/>.</summary>
    [JsonPropertyName("response")] public string? Response { get; init; }

    /// <summary>Gets the retrieved passages, or <see langword="null"/>.</summary>
    [JsonPropertyName("passages")] public IReadOnlyList<string>? Passages { get; init; }

    /// <summary>Gets the verdict, or <see langword="null"/>.</summary>
    [JsonPropertyName("passing")] public bool? Passing { get; init; }

    /// <summary>Gets the score, or <see langword="null"/>.</summary>
    [JsonPropertyName("score")] public double? Score { get; init; }

    /// <summary>Gets the feedback, or <see langword="null"/>.</summary>
    [JsonPropertyName("feedback")] public string? Feedback { get; init; }

    /// <summary>Gets LlamaIndex's <c>pairwise_source</c>, or <see langword="null"/>.</summary>
    [JsonPropertyName("pairwise_source")] public string? PairwiseSource { get; init; }

    /// <summary>Gets whether the outcome is invalid.</summary>
    [JsonPropertyName("invalid_result")] public bool InvalidResult { get; init; }

    /// <summary>Gets why the outcome is invalid, or <see langword="null"/>.</summary>
    [JsonPropertyName("invalid_reason")] public string? InvalidReason { get; init; }

    /// <summary>Gets the attempts made.</summary>
    [JsonPropertyName("attempts")] public int Attempts { get; init; }

    /// <summary>Gets the elapsed time in milliseconds.</summary>
    [JsonPropertyName("elapsed_ms")] public double ElapsedMs { get; init; }

    /// <summary>Gets the sample standard deviation of repeated scores, or <see langword="null"/>.</summary>
    [JsonPropertyName("score_std_dev")] public double? ScoreStdDev { get; init; }

    /// <summary>Gets the case's id in its dataset (for example <c>q001</c>), or <see langword="null"/> when the outcomes
    /// came from lists rather than a dataset file. Written only when set.</summary>
    [JsonPropertyName("case_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CaseId { get; init; }

    /// <summary>Gets the case's 1-based line in its dataset file, or <see langword="null"/> when the outcomes came from
    /// lists rather than a dataset file. Written only when set.</summary>
    [JsonPropertyName("line")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Line { get; init; }

    /// <summary>Flattens an outcome.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outcome"/> is <see langword="null"/>.</exception>
    public static EvalRecord From(EvalOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new EvalRecord
        {
            Evaluator = outcome.EvaluatorName,
            Index = outcome.Index,
            Query = outcome.Query,
            Response = outcome.Response,
            Passages = outcome.Passages,
            Passing = outcome.Passing,
            Score = outcome.Score,
            Feedback = outcome.Feedback,
            PairwiseSource = outcome.PairwiseSource,
            InvalidResult = outcome.InvalidResult,
            InvalidReason = outcome.InvalidReason,
            Attempts = outcome.Attempts,
            ElapsedMs = outcome.Elapsed.TotalMilliseconds,
            ScoreStdDev = outcome.ScoreStdDev,
        };
    }
}
