namespace Sluice.Evaluation;

/// <summary>What a reply parser read: a raw score and feedback, or the problem that stopped it.</summary>
internal readonly record struct ParsedReply(double Score, string? Feedback, string? Problem)
{
    public bool IsValid => Problem is null;

    public static ParsedReply Valid(double score, string? feedback) =>
        new(score, string.IsNullOrWhiteSpace(feedback) ? null : feedback.Trim(), null);

    public static ParsedReply Invalid(string problem) => new(double.NaN, null, problem);
}
