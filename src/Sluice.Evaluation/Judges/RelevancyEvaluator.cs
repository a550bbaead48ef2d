using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model whether the response answers the query in line with the retrieved contexts (LlamaIndex's
/// <c>RelevancyEvaluator</c>). YES scores 1 and passes; NO scores 0 and fails.
/// </summary>
/// <remarks>
/// Needs the query (the last user message) and a <see cref="RetrievedContextsContext"/> with at least one passage.
/// An unparseable reply gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class RelevancyEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Relevancy";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    public RelevancyEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null)
        : base(MetricName, chatClient, options, JudgeScale.YesNo)
    {
    }

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext) =>
        JudgeQuestion.ForQuery(messages, modelResponse, (query, response) =>
            EvaluationInputs.RetrievedContexts(additionalContext) is { } contexts
                ? new(JudgePrompts.System, JudgePrompts.Relevancy(query, response, contexts.Contexts), contexts)
                : JudgeQuestion.Missing(EvaluationInputs.MissingRetrievedContexts));
}
