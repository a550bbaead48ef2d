using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model whether the response is supported by the retrieved contexts (LlamaIndex's
/// <c>FaithfulnessEvaluator</c>). YES scores 1 and passes; NO scores 0 and fails.
/// </summary>
/// <remarks>
/// Needs a <see cref="RetrievedContextsContext"/> with at least one passage; all passages go to the judge in one prompt.
/// The query is not used. An unparseable reply gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class FaithfulnessEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Faithfulness";

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    public FaithfulnessEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null)
        : base(MetricName, chatClient, options, JudgeScale.YesNo)
    {
    }

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext)
    {
        var response = EvaluationInputs.Response(modelResponse);
        return EvaluationInputs.RetrievedContexts(additionalContext) is { } contexts
            ? new(JudgePrompts.System, JudgePrompts.Faithfulness(response, contexts.Contexts), contexts)
            : JudgeQuestion.Missing(EvaluationInputs.MissingRetrievedContexts);
    }
}
