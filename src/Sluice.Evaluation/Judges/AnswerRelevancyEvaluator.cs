using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model how relevant the response is to the query on a 0–2 scale, ending with <c>[RESULT] n</c>
/// (LlamaIndex's <c>AnswerRelevancyEvaluator</c>). The metric's value is the score divided by 2, in [0, 1].
/// </summary>
/// <remarks>
/// Needs the query (the last user message). Scored as <see cref="ResultTagJudgeEvaluator"/> describes.
/// </remarks>
public sealed class AnswerRelevancyEvaluator : ResultTagJudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Answer Relevancy";

    /// <summary>The highest raw score the judge may give.</summary>
    public const double MaximumRawScore = 2.0;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="passingThreshold">The lowest passing normalised score, within [0, 1]; <see langword="null"/> (the default) for no pass/fail verdict.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{query}</c> and <c>{response}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public AnswerRelevancyEvaluator(
        IChatClient? chatClient = null, JudgeOptions? options = null, double? passingThreshold = null, JudgePromptTemplate? template = null)
        : base(MetricName, MaximumRawScore, chatClient, options, passingThreshold, template ?? DefaultTemplate, [JudgePlaceholder.Query, JudgePlaceholder.Response])
    {
    }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message) and <c>{response}</c> (the
    /// response's text), both required. The judge is asked for feedback, then a last line <c>[RESULT] n</c> with n from 0 to 2.
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.AnswerRelevancyTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext) =>
        JudgeQuestion.ForQuery(messages, modelResponse, (query, response) =>
            Prompt.Question(null, (JudgePlaceholder.Query, query), (JudgePlaceholder.Response, response)));
}
