using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model whether the response follows a set of guidelines, and reads its JSON verdict
/// <c>{"passing": bool, "feedback": string}</c> (LlamaIndex's <c>GuidelineEvaluator</c>). Passing scores 1, failing 0.
/// </summary>
/// <remarks>
/// Needs the query (the last user message) and guidelines: a <see cref="GuidelinesContext"/> when given, else those
/// passed to the constructor. A reply that is not such a JSON object gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class GuidelineEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Guideline";

    /// <summary>The guidelines used when neither the constructor nor a <see cref="GuidelinesContext"/> gives any (LlamaIndex's default, reworded).</summary>
    public const string DefaultGuidelines =
        "The response should fully answer the query.\n" +
        "The response should avoid being vague or ambiguous.\n" +
        "The response should be specific and use statistics or numbers when possible.";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="guidelines">The guidelines; <see cref="DefaultGuidelines"/> when <see langword="null"/>.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{query}</c>, <c>{response}</c> and <c>{guidelines}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentException"><paramref name="guidelines"/> is empty or white space; or <paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public GuidelineEvaluator(
        IChatClient? chatClient = null, string? guidelines = null, JudgeOptions? options = null, JudgePromptTemplate? template = null)
        : base(
            MetricName,
            chatClient,
            options,
            JudgeScale.GuidelineVerdict,
            template ?? DefaultTemplate,
            [JudgePlaceholder.Query, JudgePlaceholder.Response, JudgePlaceholder.Guidelines])
    {
        if (guidelines is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(guidelines);
        }

        Guidelines = guidelines ?? DefaultGuidelines;
    }

    /// <summary>Gets the guidelines used when no <see cref="GuidelinesContext"/> is given.</summary>
    public string Guidelines { get; }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message), <c>{response}</c> (the response's
    /// text) and <c>{guidelines}</c>, all required. The judge is asked for a JSON object
    /// <c>{"passing": …, "feedback": …}</c> only (the template writes its braces doubled).
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.GuidelineTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext) =>
        AskWithQueryResponseAnd<GuidelinesContext>(
            messages, modelResponse, additionalContext, JudgePlaceholder.Guidelines, g => g?.Guidelines ?? Guidelines);
}
