using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// Extra per-case inputs for <see cref="BatchEvalRunner"/> (LlamaIndex's <c>**eval_kwargs_lists</c>): reference answers,
/// guidelines, second responses or any <see cref="EvaluationContext"/>, one entry per query, under a keyword.
/// </summary>
/// <remarks>
/// <para>LlamaIndex's two shapes map to one optional argument: without <c>forEvaluator</c> a list goes to every
/// evaluator; with <c>forEvaluator</c> it goes to that evaluator only (and replaces a list shared under the same
/// keyword for it). The dictionary overloads take LlamaIndex's second shape, evaluator name → list, in one call.</para>
/// <para>Nothing is checked against the queries until a run starts; the runner then validates every list (one entry
/// per query, no <see langword="null"/> entry, known evaluator names) before it makes any call.</para>
/// </remarks>
public sealed class EvalInputs
{
    /// <summary>The keyword of reference answers (<see cref="ReferenceAnswerContext"/>).</summary>
    public const string ReferencesKeyword = "references";

    /// <summary>The keyword of guidelines (<see cref="GuidelinesContext"/>).</summary>
    public const string GuidelinesKeyword = "guidelines";

    /// <summary>The keyword of second responses for pairwise comparison (<see cref="SecondResponseContext"/>).</summary>
    public const string SecondResponsesKeyword = "second_responses";

    /// <summary>The keyword of expected (relevant) ids for retrieval evaluation (see <see cref="WithExpectedIds(IReadOnlyList{IReadOnlyList{string}}, string?)"/>).</summary>
    public const string ExpectedIdsKeyword = "expected_ids";

    private readonly List<KeywordList> _lists = [];

    /// <summary>Gets the lists given so far.</summary>
    internal IReadOnlyList<KeywordList> Lists => _lists;

    /// <summary>Adds reference ("gold") answers, one per query.</summary>
    /// <param name="references">One reference answer per query.</param>
    /// <param name="forEvaluator">The evaluator the list is for; <see langword="null"/> for all of them.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="references"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A list was already given under this keyword for the same evaluator(s).</exception>
    public EvalInputs WithReferences(IReadOnlyList<string> references, string? forEvaluator = null) =>
        Add(ReferencesKeyword, references, forEvaluator, static v => new ReferenceAnswerContext((string)v));

    /// <summary>Adds reference answers per evaluator (LlamaIndex's dictionary shape).</summary>
    /// <param name="referencesByEvaluator">Evaluator name → one reference answer per query.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException">The dictionary or one of its lists is <see langword="null"/>.</exception>
    public EvalInputs WithReferences(IReadOnlyDictionary<string, IReadOnlyList<string>> referencesByEvaluator) =>
        AddEach(referencesByEvaluator, (list, name) => WithReferences(list, name));

    /// <summary>Adds guidelines, one per query (they replace a <see cref="GuidelineEvaluator"/>'s own guidelines).</summary>
    /// <param name="guidelines">One guideline text per query.</param>
    /// <param name="forEvaluator">The evaluator the list is for; <see langword="null"/> for all of them.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="guidelines"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A list was already given under this keyword for the same evaluator(s).</exception>
    public EvalInputs WithGuidelines(IReadOnlyList<string> guidelines, string? forEvaluator = null) =>
        Add(GuidelinesKeyword, guidelines, forEvaluator, static v => new GuidelinesContext((string)v));

    /// <summary>Adds guidelines per evaluator (LlamaIndex's dictionary shape).</summary>
    /// <param name="guidelinesByEvaluator">Evaluator name → one guideline text per query.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException">The dictionary or one of its lists is <see langword="null"/>.</exception>
    public EvalInputs WithGuidelines(IReadOnlyDictionary<string, IReadOnlyList<string>> guidelinesByEvaluator) =>
        AddEach(guidelinesByEvaluator, (list, name) => WithGuidelines(list, name));

    /// <summary>Adds the second responses a <see cref="PairwiseComparisonEvaluator"/> compares against, one per query.</summary>
    /// <param name="secondResponses">One second response per query.</param>
    /// <param name="forEvaluator">The evaluator the list is for; <see langword="null"/> for all of them.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="secondResponses"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A list was already given under this keyword for the same evaluator(s).</exception>
    public EvalInputs WithSecondResponses(IReadOnlyList<string> secondResponses, string? forEvaluator = null) =>
        Add(SecondResponsesKeyword, secondResponses, forEvaluator, static v => new SecondResponseContext((string)v));

    /// <summary>Adds second responses per evaluator (LlamaIndex's dictionary shape).</summary>
    /// <param name="secondResponsesByEvaluator">Evaluator name → one second response per query.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException">The dictionary or one of its lists is <see langword="null"/>.</exception>
    public EvalInputs WithSecondResponses(IReadOnlyDictionary<string, IReadOnlyList<string>> secondResponsesByEvaluator) =>
        AddEach(secondResponsesByEvaluator, (list, name) => WithSecondResponses(list, name));

    /// <summary>Adds the expected (relevant) ids of each query, for <see cref="RetrieverEvaluator"/>. The runner pairs
    /// them with the ids the response retrieved, <see cref="Sluice.AI.QueryResponse.SourceIds"/> (from the query engine
    /// or the responses given), and hands the evaluator a <see cref="RetrievedIdsContext"/>. A case whose response has no
    /// source ids gets none, so a retrieval evaluator reports it invalid (a missing input).</summary>
    /// <param name="expectedIds">One list of relevant ids per query; each list not empty, without <see langword="null"/> entries
    /// (checked when the run starts).</param>
    /// <param name="forEvaluator">The evaluator the list is for; <see langword="null"/> for all of them.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expectedIds"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A list was already given under this keyword for the same evaluator(s).</exception>
    public EvalInputs WithExpectedIds(IReadOnlyList<IReadOnlyList<string>> expectedIds, string? forEvaluator = null) =>
        Add(ExpectedIdsKeyword, expectedIds, forEvaluator, static v => new ExpectedIdsContext((IReadOnlyList<string>)v));

    /// <summary>Adds any evaluation context, one per query, under a keyword of your choice (for example a
    /// <see cref="RetrievedIdsContext"/> per query for <see cref="RetrieverEvaluator"/>).</summary>
    /// <param name="keyword">The name of the input, used in error messages and to let a per-evaluator list replace a shared one.</param>
    /// <param name="contexts">One context per query.</param>
    /// <param name="forEvaluator">The evaluator the list is for; <see langword="null"/> for all of them.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="contexts"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyword"/> is empty, or a list was already given under it for the same evaluator(s).</exception>
    public EvalInputs WithContexts(string keyword, IReadOnlyList<EvaluationContext> contexts, string? forEvaluator = null) =>
        Add(keyword, contexts, forEvaluator, static v => (EvaluationContext)v);

    private EvalInputs Add(string keyword, IReadOnlyList<object?> values, string? forEvaluator, Func<object, EvaluationContext> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyword);
        ArgumentNullException.ThrowIfNull(values, keyword);
        if (_lists.Exists(l => l.Keyword == keyword && l.Evaluator == forEvaluator))
        {
            var target = forEvaluator is null ? "all evaluators" : $"evaluator '{forEvaluator}'";
            throw new ArgumentException($"'{keyword}' was already given for {target}; give each list once.", keyword);
        }

        _lists.Add(new KeywordList(keyword, forEvaluator, values, create));
        return this;
    }

    private EvalInputs AddEach(IReadOnlyDictionary<string, IReadOnlyList<string>> byEvaluator, Action<IReadOnlyList<string>, string> add)
    {
        ArgumentNullException.ThrowIfNull(byEvaluator);
        foreach (var (name, list) in byEvaluator)
        {
            add(list, name);
        }

        return this;
    }
}

/// <summary>One keyword's list: for all evaluators (<see cref="Evaluator"/> null) or for one.</summary>
internal sealed record KeywordList(string Keyword, string? Evaluator, IReadOnlyList<object?> Values, Func<object, EvaluationContext> Create)
{
    /// <summary>The input's name in messages: <c>references</c> or <c>references for evaluator 'correctness'</c>.</summary>
    public string Describe() => Evaluator is null ? $"'{Keyword}'" : $"'{Keyword}' for evaluator '{Evaluator}'";
}
