using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Runs;

/// <summary>Another evaluator with a different primary metric (the first of <see cref="EvaluationMetricNames"/>, the
/// one a run's outcome reads): <c>mrr</c> is <see cref="RetrieverEvaluator"/> read by its MRR metric.</summary>
internal sealed class PrimaryMetricEvaluator(IEvaluator inner, string metricName) : IEvaluator
{
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [metricName];

    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default) =>
        inner.EvaluateAsync(messages, modelResponse, chatConfiguration, additionalContext, cancellationToken);
}
