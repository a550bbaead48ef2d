using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Asks a judge model which of two responses to the same query is better (LlamaIndex's
/// <c>PairwiseComparisonEvaluator</c> with consensus enforced). The judge is asked twice, once with the evaluated
/// response as answer A and once with the answers swapped; both verdicts are mapped back to the original frame.
/// </summary>
/// <remarks>
/// <para>
/// Needs the query (the last user message) and a <see cref="SecondResponseContext"/>; uses a
/// <see cref="ReferenceAnswerContext"/> when given. The two calls are made one after the other.
/// </para>
/// <para>
/// <see cref="MetricName"/> scores 1 when the evaluated response is better, 0 when the second is, 0.5 for a tie or
/// when the orders disagree; it passes at 1 or a tie, fails at 0, and has no pass/fail when inconclusive.
/// <see cref="VerdictMetricName"/> holds the <see cref="PairwiseVerdict"/> name. The primary metric's metadata
/// <see cref="SourceMetadataKey"/> is LlamaIndex's <c>pairwise_source</c>: <c>original</c> (the original order's
/// verdict, agreed by the swapped one or standing alone), <c>flipped</c> (only the swapped order's reply was parseable;
/// its verdict is still reported in the original frame), or <c>neither</c> (the orders disagree, or neither parsed).
/// </para>
/// <para>
/// When only one order's reply can be parsed, its verdict is reported with a warning diagnostic quoting the other
/// reply; when neither can, the result is invalid (see <see cref="EvaluationReading"/>).
/// </para>
/// </remarks>
public sealed class PairwiseComparisonEvaluator : IEvaluator
{
    /// <summary>The name of the primary (numeric) metric.</summary>
    public const string MetricName = "Pairwise";

    /// <summary>The name of the string metric holding the <see cref="PairwiseVerdict"/>.</summary>
    public const string VerdictMetricName = "Pairwise Verdict";

    /// <summary>The metadata key, on the primary metric, of LlamaIndex's <c>pairwise_source</c>.</summary>
    public const string SourceMetadataKey = "pairwise-source";

    private readonly JudgeCall _judge;
    private readonly JudgePrompt _prompt;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="template">The prompts sent to the judge (in both calls); <see cref="DefaultTemplate"/> when <see langword="null"/>.
    /// It must use <c>{query}</c>, <c>{answer_a}</c> and <c>{answer_b}</c>, and may use <c>{reference}</c>. It must ask
    /// for the same reply format as the default.</param>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    public PairwiseComparisonEvaluator(IChatClient? chatClient = null, JudgeOptions? options = null, JudgePromptTemplate? template = null)
    {
        Template = template ?? DefaultTemplate;
        _prompt = JudgePrompt.Compile(
            Template,
            nameof(PairwiseComparisonEvaluator),
            [JudgePlaceholder.Query, JudgePlaceholder.AnswerA, JudgePlaceholder.AnswerB],
            [JudgePlaceholder.Reference]);
        _judge = new JudgeCall(chatClient, options, nameof(PairwiseComparisonEvaluator));
    }

    /// <summary>
    /// Gets the default prompts. Placeholders: <c>{query}</c> (the last user message), <c>{answer_a}</c> and
    /// <c>{answer_b}</c>, all required, and <c>{reference}</c> (the reference answer, or <c>(none)</c>), optional.
    /// The first call puts the evaluated response in <c>{answer_a}</c> and the <see cref="SecondResponseContext"/> in
    /// <c>{answer_b}</c>; the second call swaps them. The judge is asked to end with <c>[[A]]</c>, <c>[[B]]</c> or
    /// <c>[[C]]</c> (a tie).
    /// </summary>
    public static JudgePromptTemplate DefaultTemplate => JudgePrompts.PairwiseTemplate;

    /// <summary>Gets the prompts this evaluator sends: the one given to its constructor, else <see cref="DefaultTemplate"/>.</summary>
    public JudgePromptTemplate Template { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [MetricName, VerdictMetricName];

    /// <inheritdoc/>
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        var query = EvaluatorArguments.Query(messages);
        var response = EvaluatorArguments.Response(modelResponse);
        if (query is null)
        {
            return Invalid(OutcomeMetrics.MissingInput(MetricName, EvaluatorArguments.MissingQuery));
        }

        var second = EvaluatorArguments.Find<SecondResponseContext>(additionalContext);
        if (second is null)
        {
            return Invalid(OutcomeMetrics.MissingInput(MetricName, "a SecondResponseContext"));
        }

        var reference = EvaluatorArguments.Find<ReferenceAnswerContext>(additionalContext)?.ReferenceAnswer ?? JudgePrompts.PairwiseNoReference;
        var (system, prompt) = _prompt.Render(
            (JudgePlaceholder.Query, query), (JudgePlaceholder.AnswerA, response), (JudgePlaceholder.AnswerB, second.SecondResponse), (JudgePlaceholder.Reference, reference));
        var original = await _judge.AskAsync(system, prompt, chatConfiguration, cancellationToken).ConfigureAwait(false);
        (system, prompt) = _prompt.Render(
            (JudgePlaceholder.Query, query), (JudgePlaceholder.AnswerA, second.SecondResponse), (JudgePlaceholder.AnswerB, response), (JudgePlaceholder.Reference, reference));
        var swapped = await _judge.AskAsync(system, prompt, chatConfiguration, cancellationToken).ConfigureAwait(false);

        var result = Combine(original, PairwiseVerdictParser.Parse(original.Text), swapped, PairwiseVerdictParser.Parse(swapped.Text));
        result.AddOrUpdateContextInAllMetrics(additionalContext?.Where(static c => c is SecondResponseContext or ReferenceAnswerContext) ?? []);
        return result;
    }

    private static EvaluationResult Combine(JudgeReply original, ParsedReply first, JudgeReply swapped, ParsedReply second)
    {
        if (!first.IsValid && !second.IsValid)
        {
            var invalid = OutcomeMetrics.Invalid(MetricName, "Original order: " + OutcomeMetrics.UnparseableReply(first.Problem!, original.Text));
            invalid.AddDiagnostics(EvaluationDiagnostic.Error("Swapped order: " + OutcomeMetrics.UnparseableReply(second.Problem!, swapped.Text)));
            invalid.AddOrUpdateMetadata(SourceMetadataKey, "neither");
            original.Describe(invalid);
            return Invalid(invalid);
        }

        // The swapped call saw the answers as (second, response): its A is our B. 1 - score maps it back (0.5 stays 0.5).
        PairwiseVerdict verdict;
        string source;
        string? warning = null;
        if (first.IsValid && second.IsValid)
        {
            var agree = first.Score == 1 - second.Score;
            verdict = agree ? ToVerdict(first.Score) : PairwiseVerdict.Inconclusive;
            source = agree ? "original" : "neither";
        }
        else if (first.IsValid)
        {
            verdict = ToVerdict(first.Score);
            source = "original";
            warning = "Swapped order: " + OutcomeMetrics.UnparseableReply(second.Problem!, swapped.Text);
        }
        else
        {
            verdict = ToVerdict(1 - second.Score);
            source = "flipped";
            warning = "Original order: " + OutcomeMetrics.UnparseableReply(first.Problem!, original.Text);
        }

        var feedback = string.Join(
            "\n\n",
            new[] { Feedback("Original order (A = response, B = second response)", first), Feedback("Swapped order (A = second response, B = response)", second) }
                .OfType<string>());
        var metric = verdict switch
        {
            PairwiseVerdict.ResponseBetter => OutcomeMetrics.Scored(MetricName, 1, feedback, true, EvaluationRating.Good),
            PairwiseVerdict.SecondResponseBetter => OutcomeMetrics.Scored(MetricName, 0, feedback, false, EvaluationRating.Poor),
            PairwiseVerdict.Tie => OutcomeMetrics.Scored(MetricName, 0.5, feedback, true, EvaluationRating.Average),
            _ => new NumericMetric(MetricName, 0.5, feedback)
            {
                Interpretation = new EvaluationMetricInterpretation(
                    EvaluationRating.Inconclusive, failed: false, reason: "The two orders of presentation gave contradicting verdicts."),
            },
        };
        metric.AddOrUpdateMetadata(SourceMetadataKey, source);
        if (warning is not null)
        {
            metric.AddDiagnostics(EvaluationDiagnostic.Warning(warning));
        }

        original.Describe(metric);
        return new EvaluationResult(metric, new StringMetric(VerdictMetricName, verdict.ToString(), feedback));
    }

    private static EvaluationResult Invalid(NumericMetric primary)
    {
        var verdict = new StringMetric(VerdictMetricName, value: null);
        verdict.AddDiagnostics(primary.Diagnostics ?? []);
        return new EvaluationResult(primary, verdict);
    }

    private static PairwiseVerdict ToVerdict(double score) => score switch
    {
        1 => PairwiseVerdict.ResponseBetter,
        0 => PairwiseVerdict.SecondResponseBetter,
        _ => PairwiseVerdict.Tie,
    };

    private static string? Feedback(string label, ParsedReply parsed) =>
        parsed.IsValid && parsed.Feedback is not null ? $"{label}: {parsed.Feedback}" : null;
}
