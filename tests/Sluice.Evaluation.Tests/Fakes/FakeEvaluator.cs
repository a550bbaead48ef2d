using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

/// <summary>One call a <see cref="FakeEvaluator"/> received.</summary>
internal sealed record EvalCall(string Query, string Response, IReadOnlyList<EvaluationContext> Contexts, int Repetition)
{
    public T? Find<T>() where T : EvaluationContext => Contexts.OfType<T>().FirstOrDefault();
}

/// <summary>An evaluator whose score (or exception) comes from a function of the call; records calls and concurrency.</summary>
internal sealed class FakeEvaluator(Func<EvalCall, ValueTask<double>> score, ConcurrencyProbe? probe = null) : IEvaluator
{
    public const string Metric = "Fake";

    public FakeEvaluator(Func<EvalCall, double> score, ConcurrencyProbe? probe = null)
        : this(call => ValueTask.FromResult(score(call)), probe)
    {
    }

    public ConcurrentQueue<EvalCall> Calls { get; } = new();

    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [Metric];

    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var call = new EvalCall(messages.Last().Text, modelResponse.Text, additionalContext?.ToList() ?? [], JudgeRepetition.Current);
        Calls.Enqueue(call);
        using var _ = probe?.Enter();
        var value = await score(call);
        var metric = new NumericMetric(Metric, value, $"feedback for {call.Query}")
        {
            Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Good, failed: value < 0.5),
        };
        return new EvaluationResult(metric);
    }
}
