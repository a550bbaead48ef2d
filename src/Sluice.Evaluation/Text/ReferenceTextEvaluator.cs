using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// An evaluator that scores the response against a reference answer with a deterministic text metric whose value
/// is in [0, 1] (<see cref="BleuEvaluator"/>, <see cref="RougeLEvaluator"/>, <see cref="TokenF1Evaluator"/>,
/// <see cref="ExactMatchEvaluator"/>).
/// </summary>
/// <remarks>
/// Needs a <see cref="ReferenceAnswerContext"/>; without one the result is invalid (see <see cref="EvaluationReading"/>).
/// No model is called. The result has a pass/fail verdict only when <see cref="PassingThreshold"/> is set.
/// </remarks>
public abstract class ReferenceTextEvaluator : IEvaluator
{
    private readonly string _metricName;
    private readonly Func<string, string, double> _score;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="metricName">The name of the metric it produces.</param>
    /// <param name="score">The metric: the response first, the reference answer second.</param>
    /// <param name="passingThreshold">The lowest passing score, within [0, 1]; <see langword="null"/> for no pass/fail verdict.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    private protected ReferenceTextEvaluator(string metricName, Func<string, string, double> score, double? passingThreshold)
    {
        PassingThreshold = UnitThreshold.Validate(passingThreshold, nameof(passingThreshold));
        _metricName = metricName;
        _score = score;
        EvaluationMetricNames = [metricName];
    }

    /// <summary>Gets the lowest passing score, or <see langword="null"/> for no pass/fail verdict.</summary>
    public double? PassingThreshold { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; }

    /// <inheritdoc/>
    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Evaluate(modelResponse, additionalContext));

    private EvaluationResult Evaluate(ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext)
    {
        var response = EvaluatorArguments.Response(modelResponse);
        var reference = EvaluatorArguments.Find<ReferenceAnswerContext>(additionalContext);
        if (reference is null)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(_metricName, EvaluatorArguments.MissingReferenceAnswer));
        }

        var value = _score(response, reference.ReferenceAnswer);
        var (_, normalised, passing) = UnitThreshold.Score(value, PassingThreshold);
        var metric = OutcomeMetrics.Scored(_metricName, value, reason: null, passing, OutcomeMetrics.Rate(normalised));
        metric.AddOrUpdateContext(reference);
        return new EvaluationResult(metric);
    }
}
