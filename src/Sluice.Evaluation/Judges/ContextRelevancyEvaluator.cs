using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model how relevant the retrieved contexts are to the query on a 0–4 scale, ending with
/// <c>[RESULT] n</c> (LlamaIndex's <c>ContextRelevancyEvaluator</c>). The metric's value is the score divided by 4, in [0, 1].
/// </summary>
/// <remarks>
/// Needs the query (the last user message) and a <see cref="RetrievedPassagesContext"/> with at least one passage;
/// the response is not used. Scored as <see cref="ResultTagJudgeEvaluator"/> describes.
/// </remarks>
public sealed class ContextRelevancyEvaluator : ResultTagJudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Context Relevancy";

    /// <summary>The highest raw score the judge may give.</summary>
    public const double MaximumRawScore = 4.0;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="passingThreshold">The lowest passing normalised score, within [0, 1]; <see langword="null"/> (the default) for no pass/fail verdict.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{query}</c> and <c>{passages}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public ContextRelevancyEvaluator(
        IChatClient? chatClient = null, JudgeOptions? options = null, double? passingThreshold = null, JudgePromptTemplate? template = null)
        : base(MetricName, MaximumRawScore, chatClient, options, passingThreshold, template ?? DefaultTemplate, [JudgePlaceholder.Query, JudgePlaceholder.Passages])
    {
    }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message) and <c>{passages}</c> (the passages,
    /// separated by <c>---</c> lines), both required. The judge is asked for feedback, then a last line
    /// <c>[RESULT] n</c> with n from 0 to 4.
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.ContextRelevancyTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext)
    {
        ArgumentNullException.ThrowIfNull(modelResponse);
        if (EvaluatorArguments.Query(messages) is not { } query)
        {
            return JudgeQuestion.Missing(EvaluatorArguments.MissingQuery);
        }

        return EvaluatorArguments.RetrievedPassages(additionalContext) is { } contexts
            ? Prompt.Question(contexts, (JudgePlaceholder.Query, query), (JudgePlaceholder.Passages, JudgePrompts.JoinPassages(contexts.Passages)))
            : JudgeQuestion.Missing(EvaluatorArguments.MissingRetrievedPassages);
    }
}
