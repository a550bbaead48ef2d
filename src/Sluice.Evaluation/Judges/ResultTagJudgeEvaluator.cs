using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>
/// A judge that scores on a 0–n scale read from the reply's closing <c>[RESULT] n</c> line, with the score divided by n
/// as the metric's value, in [0, 1], and a pass/fail verdict only when a passing threshold is given (LlamaIndex's
/// <c>AnswerRelevancyEvaluator</c> and <c>ContextRelevancyEvaluator</c>: <see cref="AnswerRelevancyEvaluator"/>,
/// <see cref="ContextRelevancyEvaluator"/>).
/// </summary>
/// <remarks>A reply without <c>[RESULT] n</c>, or with n outside 0–n, gives an invalid result (see <see cref="EvaluationReading"/>).</remarks>
public abstract class ResultTagJudgeEvaluator : JudgeEvaluator
{
    /// <summary>Creates the evaluator.</summary>
    /// <param name="metricName">The name of the metric it produces.</param>
    /// <param name="maximumRawScore">The highest raw score the judge may give.</param>
    /// <param name="chatClient">The judge.</param>
    /// <param name="options">How the judge is called.</param>
    /// <param name="passingThreshold">The lowest passing normalised score, within [0, 1], or <see langword="null"/>.</param>
    /// <param name="template">The prompts sent to the judge.</param>
    /// <param name="requiredPlaceholders">The placeholders <paramref name="template"/> must use.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passingThreshold"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    private protected ResultTagJudgeEvaluator(
        string metricName,
        double maximumRawScore,
        IChatClient? chatClient,
        JudgeOptions? options,
        double? passingThreshold,
        JudgePromptTemplate template,
        IReadOnlyList<string> requiredPlaceholders)
        : base(metricName, chatClient, options, JudgeScale.ResultTag(maximumRawScore, passingThreshold), template, requiredPlaceholders)
    {
        PassingThreshold = UnitThreshold.Validate(passingThreshold, nameof(passingThreshold));
    }

    /// <summary>Gets the lowest passing normalised score, or <see langword="null"/> for no pass/fail verdict.</summary>
    public double? PassingThreshold { get; }
}
