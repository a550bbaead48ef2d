namespace Sluice.Evaluation;

/// <summary>The names of the placeholders a <see cref="JudgePromptTemplate"/> may use (without braces).</summary>
internal static class JudgePlaceholder
{
    /// <summary>The query: the last user message.</summary>
    public const string Query = "query";

    /// <summary>The evaluated response's text.</summary>
    public const string Response = "response";

    /// <summary>The retrieved passages, separated by <c>---</c> lines.</summary>
    public const string Passages = "passages";

    /// <summary>The reference answer, or the evaluator's text for "none".</summary>
    public const string Reference = "reference";

    /// <summary>The guidelines.</summary>
    public const string Guidelines = "guidelines";

    /// <summary>The answer shown as A in a pairwise comparison.</summary>
    public const string AnswerA = "answer_a";

    /// <summary>The answer shown as B in a pairwise comparison.</summary>
    public const string AnswerB = "answer_b";
}
