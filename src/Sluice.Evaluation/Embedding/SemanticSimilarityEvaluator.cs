using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Scores the response by the cosine similarity of its embedding and the reference answer's embedding (LlamaIndex's
/// <c>SemanticSimilarityEvaluator</c>). Passes at <see cref="PassingThreshold"/> or above.
/// </summary>
/// <remarks>
/// Needs a <see cref="ReferenceAnswerContext"/>. Both texts are embedded in one call. The value is the raw cosine, in
/// [−1, 1]. A generator that returns the wrong number of embeddings, vectors of different lengths or a zero vector
/// gives an invalid result (see <see cref="EvaluationReading"/>); exceptions from the generator propagate.
/// </remarks>
public sealed class SemanticSimilarityEvaluator : IEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Semantic Similarity";

    /// <summary>The default passing threshold, 0.8.</summary>
    public const double DefaultPassingThreshold = 0.8;

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="embeddingGenerator">The embedding model.</param>
    /// <param name="passingThreshold">The lowest passing cosine, within [−1, 1]. Defaults to <see cref="DefaultPassingThreshold"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [−1, 1].</exception>
    public SemanticSimilarityEvaluator(IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, double passingThreshold = DefaultPassingThreshold)
    {
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        if (!(passingThreshold >= -1 && passingThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(passingThreshold), passingThreshold, "The passing threshold must be within [-1, 1].");
        }

        _generator = embeddingGenerator;
        PassingThreshold = passingThreshold;
    }

    /// <summary>Gets the lowest passing cosine similarity.</summary>
    public double PassingThreshold { get; }

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
        var response = EvaluatorArguments.Response(modelResponse);
        var reference = EvaluatorArguments.Find<ReferenceAnswerContext>(additionalContext);
        if (reference is null)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(MetricName, EvaluatorArguments.MissingReferenceAnswer));
        }

        var embeddings = await _generator.GenerateAsync([response, reference.ReferenceAnswer], options: null, cancellationToken).ConfigureAwait(false);
        EvaluationMetric metric;
        if (embeddings.Count != 2)
        {
            metric = OutcomeMetrics.Invalid(MetricName, $"The embedding generator returned {embeddings.Count} embeddings for 2 texts.");
        }
        else
        {
            var a = embeddings[0].Vector.Span;
            var b = embeddings[1].Vector.Span;
            if (a.Length != b.Length || a.Length == 0)
            {
                metric = OutcomeMetrics.Invalid(MetricName, $"The embeddings have lengths {a.Length} and {b.Length}; expected two non-empty vectors of one length.");
            }
            else
            {
                var cosine = Cosine(a, b);
                metric = double.IsFinite(cosine)
                    ? OutcomeMetrics.Scored(MetricName, cosine, reason: null, cosine >= PassingThreshold, OutcomeMetrics.Rate(cosine))
                    : OutcomeMetrics.Invalid(MetricName, "An embedding is a zero vector, so the cosine similarity is undefined.");
            }
        }

        metric.AddOrUpdateContext(reference);
        return new EvaluationResult(metric);
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return normA == 0 || normB == 0 ? double.NaN : Math.Clamp(dot / (Math.Sqrt(normA) * Math.Sqrt(normB)), -1.0, 1.0);
    }
}
