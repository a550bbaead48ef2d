using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model whether the response answers the query in line with the retrieved contexts (LlamaIndex's
/// <c>RelevancyEvaluator</c>). YES scores 1 and passes; NO scores 0 and fails.
/// </summary>
/// <remarks>
/// Needs the query (the last user message) and a <see cref="RetrievedPassagesContext"/> with at least one passage.
/// An unparseable reply gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class RelevancyEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Relevancy";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{query}</c>, <c>{response}</c> and <c>{passages}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public RelevancyEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null, JudgePromptTemplate? template = null)
        : base(
            MetricName,
            chatClient,
            options,
            JudgeScale.YesNo,
            template ?? DefaultTemplate,
            [JudgePlaceholder.Query, JudgePlaceholder.Response, JudgePlaceholder.Passages])
    {
    }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message), <c>{response}</c> (the response's
    /// text) and <c>{passages}</c> (the passages, separated by <c>---</c> lines), all required. The judge is asked for
    /// YES or NO first, then an explanation.
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.RelevancyTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext) =>
        JudgeQuestion.ForQuery(messages, modelResponse, (query, response) =>
            EvaluatorArguments.RetrievedPassages(additionalContext) is { } contexts
                ? Prompt.Question(
                    contexts,
                    (JudgePlaceholder.Query, query),
                    (JudgePlaceholder.Response, response),
                    (JudgePlaceholder.Passages, JudgePrompts.JoinPassages(contexts.Passages)))
                : JudgeQuestion.Missing(EvaluatorArguments.MissingRetrievedPassages));
}
