using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>The runner's evaluators in a fixed order, validated: names non-empty, evaluators non-null with a primary metric.</summary>
internal sealed class EvaluatorSet
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public EvaluatorSet(IReadOnlyDictionary<string, IEvaluator> evaluators)
    {
        ArgumentNullException.ThrowIfNull(evaluators);
        if (evaluators.Count == 0)
        {
            throw new ArgumentException("evaluators is empty; give at least one evaluator by name.", nameof(evaluators));
        }

        var names = new List<string>();
        var list = new List<IEvaluator>();
        foreach (var (name, evaluator) in evaluators)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("evaluators has an empty name; every evaluator needs a name.", nameof(evaluators));
            }

            if (evaluator is null)
            {
                throw new ArgumentException($"evaluators['{name}'] is null.", nameof(evaluators));
            }

            if (evaluator.EvaluationMetricNames.Count == 0)
            {
                throw new ArgumentException($"evaluators['{name}'] declares no metric names; its first metric is read as the score.", nameof(evaluators));
            }

            _index.Add(name, names.Count);
            names.Add(name);
            list.Add(evaluator);
        }

        Names = names;
        Evaluators = list;
        PrimaryMetrics = list.Select(static e => e.EvaluationMetricNames.First()).ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<IEvaluator> Evaluators { get; }

    public IReadOnlyList<string> PrimaryMetrics { get; }

    public int Count => Names.Count;

    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;
}
