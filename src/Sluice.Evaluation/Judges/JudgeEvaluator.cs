using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// An evaluator that asks a judge model one question and reads one metric from its reply
/// (<see cref="FaithfulnessEvaluator"/>, <see cref="RelevancyEvaluator"/>, <see cref="AnswerRelevancyEvaluator"/>,
/// <see cref="ContextRelevancyEvaluator"/>, <see cref="CorrectnessEvaluator"/>, <see cref="GuidelineEvaluator"/>).
/// </summary>
/// <remarks>
/// When an input the question needs is missing, the result is invalid and no model is called; an unparseable reply
/// also gives an invalid result (see <see cref="EvaluationReading"/>). Exceptions from the chat client propagate.
/// </remarks>
public abstract class JudgeEvaluator : IEvaluator
{
    private readonly string _metricName;
    private readonly JudgeCall _judge;
    private readonly JudgeScale _scale;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="metricName">The name of the metric it produces.</param>
    /// <param name="chatClient">The judge; a <see cref="ChatConfiguration"/> passed to <see cref="EvaluateAsync"/> takes precedence.</param>
    /// <param name="options">How the judge is called; <see cref="JudgeOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="scale">How the judge's reply is read and scored.</param>
    /// <param name="template">The prompts sent to the judge.</param>
    /// <param name="requiredPlaceholders">The placeholders <paramref name="template"/> must use.</param>
    /// <param name="optionalPlaceholders">The further placeholders <paramref name="template"/> may use.</param>
    /// <exception cref="ArgumentException"><paramref name="template"/> uses an unknown placeholder, has an unbalanced brace or lacks a required placeholder.</exception>
    private protected JudgeEvaluator(
        string metricName,
        IChatClient? chatClient,
        JudgeOptions? options,
        JudgeScale scale,
        JudgePromptTemplate template,
        IReadOnlyList<string> requiredPlaceholders,
        IReadOnlyList<string>? optionalPlaceholders = null)
    {
        _metricName = metricName;
        _judge = new JudgeCall(chatClient, options, GetType().Name);
        _scale = scale;
        Prompt = JudgePrompt.Compile(template, GetType().Name, requiredPlaceholders, optionalPlaceholders);
        Template = template;
        EvaluationMetricNames = [metricName];
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; }

    /// <summary>Gets the prompts this evaluator sends: the one given to its constructor, else its default template.</summary>
    public JudgePromptTemplate Template { get; }

    /// <summary>Gets <see cref="Template"/>, checked and ready to render.</summary>
    private protected JudgePrompt Prompt { get; }

    /// <inheritdoc/>
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        var question = Ask(messages, modelResponse, additionalContext);
        if (question.MissingInput is not null)
        {
            return new EvaluationResult(OutcomeMetrics.MissingInput(_metricName, question.MissingInput));
        }

        var reply = await _judge.AskAsync(question.System, question.Prompt, chatConfiguration, cancellationToken).ConfigureAwait(false);
        return JudgeOutcome.Build(_metricName, reply, _scale.Parse(reply.Text), _scale.Score, question.ContextUsed);
    }

    /// <summary>
    /// The question over the query, the response and one more placeholder, <paramref name="placeholder"/>, filled from the
    /// first context of type <typeparamref name="T"/> when there is one (<paramref name="value"/> gets <see langword="null"/> when not).
    /// </summary>
    private protected JudgeQuestion AskWithQueryResponseAnd<T>(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        IEnumerable<EvaluationContext>? additionalContext,
        string placeholder,
        Func<T?, string> value)
        where T : EvaluationContext =>
        JudgeQuestion.ForQuery(messages, modelResponse, (query, response) =>
        {
            var context = EvaluatorArguments.Find<T>(additionalContext);
            return Prompt.Question(context, (JudgePlaceholder.Query, query), (JudgePlaceholder.Response, response), (placeholder, value(context)));
        });

    /// <summary>
    /// Reads the inputs into the question for the judge, or names the input that is missing. Null arguments throw
    /// <see cref="ArgumentNullException"/> here, so the order in which they are read is the order they are checked.
    /// </summary>
    private protected abstract JudgeQuestion Ask(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, IEnumerable<EvaluationContext>? additionalContext);
}
