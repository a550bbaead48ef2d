using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation;

/// <summary>
/// The validated cases of one run: queries, responses (filled in as queries finish), retrieved passages and each
/// evaluator's extra contexts. Creating a plan checks every input; nothing is called until it exists.
/// </summary>
internal sealed class EvalPlan
{
    private readonly RetrievedPassagesContext?[] _retrieved;
    private readonly IReadOnlyList<string>?[] _sourceIds;
    private readonly EvaluationContext[][][] _columns; // [evaluator][keyword][case]

    private EvalPlan(EvaluatorSet evaluators, string[] queries, EvaluationContext[][][] columns)
    {
        Evaluators = evaluators;
        Queries = queries;
        Responses = new string?[queries.Length];
        Passages = new IReadOnlyList<string>?[queries.Length];
        _retrieved = new RetrievedPassagesContext?[queries.Length];
        _sourceIds = new IReadOnlyList<string>?[queries.Length];
        _columns = columns;
    }

    public EvaluatorSet Evaluators { get; }

    public string[] Queries { get; }

    public int CaseCount => Queries.Length;

    /// <summary>The response of each case; <see langword="null"/> until its query has answered (or when it failed).</summary>
    public string?[] Responses { get; }

    /// <summary>The retrieved passages of each case, or <see langword="null"/> for none.</summary>
    public IReadOnlyList<string>?[] Passages { get; }

    /// <summary>Validates everything and builds the plan; throws <see cref="ArgumentException"/> naming the first bad input.</summary>
    public static EvalPlan Create(
        EvaluatorSet evaluators,
        IReadOnlyList<string> queries,
        IReadOnlyList<string>? responseStrings,
        IReadOnlyList<QueryResponse>? responses,
        IReadOnlyList<IReadOnlyList<string>>? passagesList,
        EvalInputs? inputs)
    {
        var queryArray = NoNullEntries(queries, nameof(queries));
        int n = queryArray.Length;
        if (responseStrings is not null)
        {
            SameLength(responseStrings.Count, n, "responseStrings");
            NoNullEntries(responseStrings, nameof(responseStrings));
        }

        if (responses is not null)
        {
            SameLength(responses.Count, n, nameof(responses));
            NoNullEntries(responses, nameof(responses));
        }

        if (passagesList is not null)
        {
            SameLength(passagesList.Count, n, nameof(passagesList));
            for (var i = 0; i < n; i++)
            {
                var contexts = passagesList[i]
                    ?? throw new ArgumentException($"passagesList[{i}] is null; give an empty list for a case without passages.", nameof(passagesList));
                for (var j = 0; j < contexts.Count; j++)
                {
                    if (contexts[j] is null)
                    {
                        throw new ArgumentException($"passagesList[{i}][{j}] is null; every passage must be a string.", nameof(passagesList));
                    }
                }
            }
        }

        var plan = new EvalPlan(evaluators, queryArray, BuildColumns(evaluators, inputs, n));
        for (var i = 0; i < n; i++)
        {
            if (responseStrings is not null)
            {
                plan.SetResponse(i, responseStrings[i], passagesList?[i]);
            }
            else if (responses is not null)
            {
                plan.SetResponse(i, responses[i].Response, responses[i].SourcePassages, responses[i].SourceIds);
            }
        }

        return plan;
    }

    /// <summary>Records a case's response, passages and the passages' source ids (once its query has answered).</summary>
    public void SetResponse(int index, string response, IReadOnlyList<string>? contexts, IReadOnlyList<string>? sourceIds = null)
    {
        Responses[index] = response;
        Passages[index] = contexts;
        _sourceIds[index] = sourceIds is { Count: > 0 } ? sourceIds : null;
        _retrieved[index] = contexts is null ? null : new RetrievedPassagesContext(contexts);
    }

    /// <summary>The contexts handed to evaluator <paramref name="evaluator"/> for case <paramref name="index"/>.</summary>
    public EvaluationContext[] AdditionalContext(int evaluator, int index)
    {
        var columns = _columns[evaluator];
        var retrieved = _retrieved[index];
        var result = new EvaluationContext[columns.Length + (retrieved is null ? 0 : 1)];
        var k = 0;
        if (retrieved is not null)
        {
            result[k++] = retrieved;
        }

        foreach (var column in columns)
        {
            // Expected ids become a RetrievedIdsContext when the response says which ids it retrieved.
            result[k++] = column[index] is ExpectedIdsContext expected && _sourceIds[index] is { } ids
                ? new RetrievedIdsContext(ids, expected.Ids)
                : column[index];
        }

        return result;
    }

    private static EvaluationContext[][][] BuildColumns(EvaluatorSet evaluators, EvalInputs? inputs, int n)
    {
        var lists = inputs?.Lists ?? [];
        foreach (var list in lists)
        {
            if (list.Evaluator is not null && evaluators.IndexOf(list.Evaluator) < 0)
            {
                throw new ArgumentException(
                    $"{list.Describe()} names an unknown evaluator; the runner's evaluators are: {string.Join(", ", evaluators.Names.Select(x => $"'{x}'"))}.",
                    nameof(inputs));
            }

            if (list.Values.Count != n)
            {
                throw new ArgumentException(
                    $"All inputs must have the same length: {list.Describe()} has {list.Values.Count} entries but queries has {n}.", nameof(inputs));
            }
        }

        var built = new Dictionary<KeywordList, EvaluationContext[]>();
        var columns = new EvaluationContext[evaluators.Count][][];
        for (var e = 0; e < evaluators.Count; e++)
        {
            var name = evaluators.Names[e];
            var chosen = lists
                .Where(l => l.Evaluator == name || (l.Evaluator is null && !lists.Any(o => o.Keyword == l.Keyword && o.Evaluator == name)))
                .ToArray();
            columns[e] = new EvaluationContext[chosen.Length][];
            for (var k = 0; k < chosen.Length; k++)
            {
                if (!built.TryGetValue(chosen[k], out var column))
                {
                    column = Build(chosen[k]);
                    built.Add(chosen[k], column);
                }

                columns[e][k] = column;
            }
        }

        return columns;
    }

    private static EvaluationContext[] Build(KeywordList list)
    {
        var column = new EvaluationContext[list.Values.Count];
        for (var i = 0; i < column.Length; i++)
        {
            var value = list.Values[i] ?? throw new ArgumentException($"{list.Describe()}[{i}] is null; every entry must be given.", "inputs");
            try
            {
                column[i] = list.Create(value);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{list.Describe()}[{i}] is invalid: {ex.Message}", "inputs", ex);
            }
        }

        return column;
    }

    private static void SameLength(int count, int queries, string name)
    {
        if (count != queries)
        {
            throw new ArgumentException($"All inputs must have the same length: {name} has {count} entries but queries has {queries}.", name);
        }
    }

    private static T[] NoNullEntries<T>(IReadOnlyList<T> list, string name)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(list, name);
        var copy = list.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null)
            {
                throw new ArgumentException($"{name}[{i}] is null; every entry must be given.", name);
            }
        }

        return copy;
    }
}
