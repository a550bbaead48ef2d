using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Scores a retriever's ranked ids against the expected ids with <see cref="RetrievalMetrics"/> (LlamaIndex's
/// <c>RetrieverEvaluator</c>): one numeric metric per retrieval metric, each in [0, 1], with no pass/fail verdict.
/// </summary>
/// <remarks>
/// Needs a <see cref="RetrievedIdsContext"/>; without one every metric is invalid (see <see cref="EvaluationReading"/>).
/// The messages and the response are not used. Its first metric name (the one
/// <see cref="EvaluationReading.Read(EvaluationResult, IEvaluator)"/> reads) is <see cref="HitRateMetricName"/>.
/// </remarks>
public sealed class RetrieverEvaluator : IEvaluator
{
    /// <summary>The hit-rate metric's name.</summary>
    public const string HitRateMetricName = "Hit Rate";

    /// <summary>The reciprocal-rank metric's name (LlamaIndex's per-query "mrr").</summary>
    public const string MrrMetricName = "MRR";

    /// <summary>The precision metric's name.</summary>
    public const string PrecisionMetricName = "Precision";

    /// <summary>The recall metric's name.</summary>
    public const string RecallMetricName = "Recall";

    /// <summary>The average-precision metric's name.</summary>
    public const string AveragePrecisionMetricName = "Average Precision";

    /// <summary>The NDCG metric's name.</summary>
    public const string NdcgMetricName = "NDCG";

    /// <summary>Creates the evaluator.</summary>
    public RetrieverEvaluator()
    {
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } =
        [HitRateMetricName, MrrMetricName, PrecisionMetricName, RecallMetricName, AveragePrecisionMetricName, NdcgMetricName];

    /// <inheritdoc/>
    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        var retrieval = EvaluatorArguments.Find<RetrievedIdsContext>(additionalContext);
        if (retrieval is null)
        {
            return ValueTask.FromResult(new EvaluationResult(
                EvaluationMetricNames.Select(name => (EvaluationMetric)OutcomeMetrics.MissingInput(name, "a RetrievedIdsContext"))));
        }

        var scores = RetrievalMetrics.Compute(retrieval.RetrievedIds, retrieval.ExpectedIds);
        var result = new EvaluationResult(
            new NumericMetric(HitRateMetricName, scores.HitRate),
            new NumericMetric(MrrMetricName, scores.ReciprocalRank),
            new NumericMetric(PrecisionMetricName, scores.Precision),
            new NumericMetric(RecallMetricName, scores.Recall),
            new NumericMetric(AveragePrecisionMetricName, scores.AveragePrecision),
            new NumericMetric(NdcgMetricName, scores.Ndcg));
        result.AddOrUpdateContextInAllMetrics(retrieval);
        return ValueTask.FromResult(result);
    }
}
