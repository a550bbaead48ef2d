using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model to score the response's relevance and correctness from 1 to 5 against an optional reference
/// answer (LlamaIndex's <c>CorrectnessEvaluator</c>). The score is the metric's value; it passes at
/// <see cref="PassingThreshold"/> or above.
/// </summary>
/// <remarks>
/// Needs the query (the last user message); uses a <see cref="ReferenceAnswerContext"/> when given. The judge replies
/// with the score alone on its first line and the reasoning after it. A reply without such a line, or with a score
/// outside 1–5, gives an invalid result (see <see cref="EvaluationReading"/>).
/// </remarks>
public sealed class CorrectnessEvaluator : JudgeEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string MetricName = "Correctness";

    /// <summary>The default passing threshold, 4.</summary>
    public const double DefaultPassingThreshold = 4.0;

    /// <summary>The lowest score.</summary>
    public const double MinimumScore = 1.0;

    /// <summary>The highest score.</summary>
    public const double MaximumScore = 5.0;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="JudgeEvaluator.EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="passingThreshold">The lowest passing score, within 1–5. Defaults to <see cref="DefaultPassingThreshold"/>.</param>
    /// <param name="template">The prompts sent to the judge; <see cref="DefaultTemplate"/> when <see langword="null"/>. It must use <c>{query}</c> and <c>{response}</c>, and may use <c>{reference}</c>. It must ask for the same reply format as the default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside 1–5.</exception>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public CorrectnessEvaluator(
        IChatClient? chatClient = null,
        JudgeOptions? options = null,
        double passingThreshold = DefaultPassingThreshold,
        JudgePromptTemplate? template = null)
        : base(
            MetricName,
            chatClient,
            options,
            JudgeScale.ScoreFirstLine(MinimumScore, MaximumScore, passingThreshold),
            template ?? DefaultTemplate,
            [JudgePlaceholder.Query, JudgePlaceholder.Response],
            [JudgePlaceholder.Reference])
    {
        if (!(passingThreshold >= MinimumScore && passingThreshold <= MaximumScore))
        {
            throw new ArgumentOutOfRangeException(nameof(passingThreshold), passingThreshold, "The passing threshold must be within 1–5.");
        }

        PassingThreshold = passingThreshold;
    }

    /// <summary>Gets the lowest passing score.</summary>
    public double PassingThreshold { get; }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message) and <c>{response}</c> (the
    /// response's text), both required, and <c>{reference}</c> (the reference answer, or
    /// <c>(no reference answer was supplied)</c>), optional. The judge is asked for the score alone on the first line,
    /// then its reasoning.
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.CorrectnessTemplate;

    /// <inheritdoc/>
    private protected override JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext) =>
        AskWithQueryResponseAnd<ReferenceAnswerContext>(
            messages, modelResponse, additionalContext, JudgePlaceholder.Reference, static r => r?.ReferenceAnswer ?? JudgePrompts.CorrectnessNoReference);
}
