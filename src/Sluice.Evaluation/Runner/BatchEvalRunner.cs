using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation;

/// <summary>
/// Evaluates many cases with several evaluators concurrently (LlamaIndex's <c>BatchEvalRunner</c>): from queries (asked
/// of a query engine first), from responses, or from response strings and their passages.
/// </summary>
/// <remarks>
/// <para>Every input is validated before the first call: list lengths against the number of queries (the message names
/// the input and both lengths), <see langword="null"/> entries (by index), evaluator names in per-evaluator inputs.</para>
/// <para>One bound, <see cref="Workers"/>, covers query-engine calls and evaluator calls together, and the two are
/// pipelined: a case's evaluations start as soon as its response exists.</para>
/// <para>A query or evaluation that fails (after the retries of <see cref="BatchEvalOptions.Resilience"/> and of the chat
/// client) becomes an invalid outcome stating the exception; every other outcome is kept. Set
/// <see cref="BatchEvalOptions.ThrowOnError"/> for LlamaIndex's behaviour instead.</para>
/// <para>The result has one entry per evaluator (by the name given here), each a list aligned with the queries.</para>
/// </remarks>
public sealed class BatchEvalRunner
{
    private readonly EvaluatorSet _evaluators;

    /// <summary>Creates a runner.</summary>
    /// <param name="evaluators">The evaluators, by name; the names key the result.</param>
    /// <param name="workers">The largest number of query and evaluator calls running at once; must be positive. Default 2, as LlamaIndex.</param>
    /// <param name="showProgress">Whether to write a plain progress line to standard error periodically, and a summary at the end.</param>
    /// <param name="options">Further options; <see cref="BatchEvalOptions.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="evaluators"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="evaluators"/> is empty, has an empty name or a <see langword="null"/> evaluator.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is zero or negative, or an option is out of range.</exception>
    public BatchEvalRunner(IReadOnlyDictionary<string, IEvaluator> evaluators, int workers = 2, bool showProgress = false, BatchEvalOptions? options = null)
    {
        if (workers <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"workers must be at least 1; it was {workers}.");
        }

        _evaluators = new EvaluatorSet(evaluators);
        options ??= BatchEvalOptions.Default;
        options.Validate();
        Evaluators = evaluators.ToDictionary(StringComparer.Ordinal);
        Workers = workers;
        ShowProgress = showProgress;
        Options = options;
    }

    /// <summary>Gets the evaluators, by name.</summary>
    public IReadOnlyDictionary<string, IEvaluator> Evaluators { get; }

    /// <summary>Gets the largest number of calls running at once.</summary>
    public int Workers { get; }

    /// <summary>Gets whether progress lines are written to standard error (or <see cref="BatchEvalOptions.ProgressWriter"/>).</summary>
    public bool ShowProgress { get; }

    /// <summary>Gets the options.</summary>
    public BatchEvalOptions Options { get; }

    /// <summary>Asks <paramref name="queryEngine"/> every query and evaluates each response as soon as it arrives
    /// (LlamaIndex <c>aevaluate_queries</c>). The passages of each <see cref="QueryResponse"/> become its retrieved contexts;
    /// its <see cref="QueryResponse.SourceIds"/>, with the ids given by <see cref="EvalInputs.WithExpectedIds"/>, become a
    /// <see cref="RetrievedIdsContext"/> (for <see cref="RetrieverEvaluator"/>).</summary>
    /// <param name="queryEngine">The system under evaluation.</param>
    /// <param name="queries">The queries.</param>
    /// <param name="inputs">Extra per-case inputs (references, guidelines, …), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run; the task then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryEngine"/> or <paramref name="queries"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An input is invalid; thrown before any call, the message names it.</exception>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>>> EvaluateQueriesAsync(
        IQueryEngine queryEngine, IReadOnlyList<string> queries, EvalInputs? inputs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queryEngine);
        var plan = EvalPlan.Create(_evaluators, queries, null, null, null, inputs);
        return new EvalRun(plan, queryEngine, Workers, ShowProgress, Options).RunAsync(cancellationToken);
    }

    /// <summary>Evaluates responses a query engine already gave (LlamaIndex <c>aevaluate_responses</c>).</summary>
    /// <param name="queries">The queries.</param>
    /// <param name="responses">One response per query; its passages become the retrieved contexts, and its source ids,
    /// with the expected ids of <see cref="EvalInputs.WithExpectedIds"/>, a <see cref="RetrievedIdsContext"/>.</param>
    /// <param name="inputs">Extra per-case inputs, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="responses"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An input is invalid; thrown before any call, the message names it.</exception>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>>> EvaluateResponsesAsync(
        IReadOnlyList<string> queries, IReadOnlyList<QueryResponse> responses, EvalInputs? inputs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var plan = EvalPlan.Create(_evaluators, queries, null, responses, null, inputs);
        return new EvalRun(plan, null, Workers, ShowProgress, Options).RunAsync(cancellationToken);
    }

    /// <summary>Evaluates response strings with optional passages (LlamaIndex <c>aevaluate_response_strs</c>).</summary>
    /// <param name="queries">The queries.</param>
    /// <param name="responseStrings">One response per query.</param>
    /// <param name="passagesList">One list of retrieved passages per query, or <see langword="null"/> for none.</param>
    /// <param name="inputs">Extra per-case inputs, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> or <paramref name="responseStrings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An input is invalid; thrown before any call, the message names it.</exception>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>>> EvaluateResponseStringsAsync(
        IReadOnlyList<string> queries,
        IReadOnlyList<string> responseStrings,
        IReadOnlyList<IReadOnlyList<string>>? passagesList = null,
        EvalInputs? inputs = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseStrings);
        var plan = EvalPlan.Create(_evaluators, queries, responseStrings, null, passagesList, inputs);
        return new EvalRun(plan, null, Workers, ShowProgress, Options).RunAsync(cancellationToken);
    }

    /// <summary>Synchronous <see cref="EvaluateQueriesAsync"/> (LlamaIndex <c>evaluate_queries</c>), through <see cref="Jobs.Run{T}"/>.</summary>
    /// <param name="queryEngine">The system under evaluation.</param>
    /// <param name="queries">The queries.</param>
    /// <param name="inputs">Extra per-case inputs, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    public IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> EvaluateQueries(
        IQueryEngine queryEngine, IReadOnlyList<string> queries, EvalInputs? inputs = null, CancellationToken cancellationToken = default) =>
        Jobs.Run(ct => EvaluateQueriesAsync(queryEngine, queries, inputs, ct), cancellationToken);

    /// <summary>Synchronous <see cref="EvaluateResponsesAsync"/> (LlamaIndex <c>evaluate_responses</c>).</summary>
    /// <param name="queries">The queries.</param>
    /// <param name="responses">One response per query.</param>
    /// <param name="inputs">Extra per-case inputs, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    public IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> EvaluateResponses(
        IReadOnlyList<string> queries, IReadOnlyList<QueryResponse> responses, EvalInputs? inputs = null, CancellationToken cancellationToken = default) =>
        Jobs.Run(ct => EvaluateResponsesAsync(queries, responses, inputs, ct), cancellationToken);

    /// <summary>Synchronous <see cref="EvaluateResponseStringsAsync"/> (LlamaIndex <c>evaluate_response_strs</c>).</summary>
    /// <param name="queries">The queries.</param>
    /// <param name="responseStrings">One response per query.</param>
    /// <param name="passagesList">One list of passages per query, or <see langword="null"/>.</param>
    /// <param name="inputs">Extra per-case inputs, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Per evaluator name, one outcome per query, in query order.</returns>
    public IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> EvaluateResponseStrings(
        IReadOnlyList<string> queries,
        IReadOnlyList<string> responseStrings,
        IReadOnlyList<IReadOnlyList<string>>? passagesList = null,
        EvalInputs? inputs = null,
        CancellationToken cancellationToken = default) =>
        Jobs.Run(ct => EvaluateResponseStringsAsync(queries, responseStrings, passagesList, inputs, ct), cancellationToken);
}
