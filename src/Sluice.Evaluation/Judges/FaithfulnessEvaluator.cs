using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model whether the response is supported by the retrieved contexts (LlamaIndex's
/// <c>FaithfulnessEvaluator</c>). YES scores 1 and passes; NO scores 0 and fails.
/// </summary>
/// <remarks>
/// Needs a <see cref="RetrievedPassagesContext"/> with at least one passage; all passages go to the judge in one prompt.
/// The query is not used. An unparseable reply gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class FaithfulnessEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Faithfulness";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{response}</c> and <c>{passages}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public FaithfulnessEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null, JudgePromptTemplate? template = null)
        : base(MetricName, chatClient, options, JudgeScale.YesNo, template ?? DefaultTemplate, [JudgePlaceholder.Response, JudgePlaceholder.Passages])
    {
    }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{response}</c> (the response's text) and <c>{passages}</c> (the passages,
    /// separated by <c>---</c> lines), both required. The judge is asked for YES or NO first, then an explanation.
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.FaithfulnessTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext)
    {
        var response = EvaluatorArguments.Response(modelResponse);
        return EvaluatorArguments.RetrievedPassages(additionalContext) is { } contexts
            ? Prompt.Question(contexts, (JudgePlaceholder.Response, response), (JudgePlaceholder.Passages, JudgePrompts.JoinPassages(contexts.Passages)))
            : JudgeQuestion.Missing(EvaluatorArguments.MissingRetrievedPassages);
    }
}
