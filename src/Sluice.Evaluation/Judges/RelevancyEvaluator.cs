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
public sealed class RelevancyEvaluator : IEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Relevancy";

    private readonly JudgeCall _judge;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    public RelevancyEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null)
    {
        _judge = new JudgeCall(chatClient, options, nameof(RelevancyEvaluator));
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [MetricName];

    /// <inheritdoc/>
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        var query = EvaluationInputs.Query(messages);
        var response = EvaluationInputs.Response(modelResponse);
        if (query is null)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(MetricName, "a query (a user message)"));
        }

        var contexts = EvaluationInputs.Find<RetrievedContextsContext>(additionalContext);
        if (contexts is null || contexts.Contexts.Count == 0)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(MetricName, "a RetrievedContextsContext with at least one passage"));
        }

        var reply = await _judge.AskAsync(
            JudgePrompts.System, JudgePrompts.Relevancy(query, response, contexts.Contexts), chatConfiguration, cancellationToken).ConfigureAwait(false);
        return JudgeOutcome.Build(MetricName, reply, YesNoReplyParser.Parse(reply.Text), JudgeOutcome.Binary, contexts);
    }
}
