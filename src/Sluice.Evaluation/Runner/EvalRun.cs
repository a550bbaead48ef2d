using Microsoft.Extensions.AI;
using Sluice.AI;

namespace Sluice.Evaluation;

/// <summary>
/// One run of <see cref="BatchEvalRunner"/>: queries (when a query engine is given) and evaluations go through one
/// <see cref="Batch"/> run, so one concurrency bound covers both; each result is filed as it arrives, and the outcomes
/// are assembled when everything has finished.
/// </summary>
internal sealed class EvalRun
{
    private readonly EvalPlan _plan;
    private readonly IQueryEngine? _queryEngine;
    private readonly int _workers;
    private readonly bool _showProgress;
    private readonly BatchEvalOptions _options;
    private readonly int _repeat;
    private readonly ItemResult<EvalWork, object>[][] _evaluations; // [evaluator][case * repeat + repetition]
    private readonly ItemResult<EvalWork, object>?[] _failedQueries;
    private readonly int[][]? _repetitionsLeft; // [evaluator][case]: only with OutcomeCompleted
    private readonly List<Task> _callbacks = [];

    public EvalRun(EvalPlan plan, IQueryEngine? queryEngine, int workers, bool showProgress, BatchEvalOptions options)
    {
        _plan = plan;
        _queryEngine = queryEngine;
        _workers = workers;
        _showProgress = showProgress;
        _options = options;
        _repeat = options.Repeat;
        _evaluations = new ItemResult<EvalWork, object>[plan.Evaluators.Count][];
        for (var e = 0; e < _evaluations.Length; e++)
        {
            _evaluations[e] = new ItemResult<EvalWork, object>[plan.CaseCount * _repeat];
        }

        _failedQueries = new ItemResult<EvalWork, object>?[plan.CaseCount];
        if (options.OutcomeCompleted is not null)
        {
            _repetitionsLeft = new int[plan.Evaluators.Count][];
            for (var e = 0; e < _repetitionsLeft.Length; e++)
            {
                _repetitionsLeft[e] = Enumerable.Repeat(_repeat, plan.CaseCount).ToArray();
            }
        }
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>>> RunAsync(CancellationToken cancellationToken)
    {
        int cases = _plan.CaseCount, evaluators = _plan.Evaluators.Count;
        long evaluationCount = (long)cases * evaluators * _repeat;
        var pipeline = _queryEngine is null ? null : new PipelinedWorkSource(cases, evaluators, _repeat);
        var printer = _showProgress
            ? new ProgressPrinter(_options.ProgressWriter ?? Console.Error, _options.ProgressLineInterval)
            : null;
        var batchOptions = new BatchOptions
        {
            MaxConcurrency = _workers,
            Ordered = false,
            FailFast = _options.ThrowOnError,
            Progress = ProgressFanOut.Combine(_options.Progress, printer),
            TimeProvider = _options.TimeProvider,
            ExpectedCount = evaluationCount + (pipeline is null ? 0 : cases),
            ItemResilience = _options.Resilience,
        };

        var started = _options.TimeProvider.GetTimestamp();
        var results = pipeline is null
            ? Batch.ProcessAsync(EvalWork.AllEvaluations(cases, evaluators, _repeat), WorkAsync, batchOptions, cancellationToken)
            : Batch.ProcessAsync(pipeline, WorkAsync, batchOptions, cancellationToken);
        await foreach (var result in results.ConfigureAwait(false))
        {
            var work = result.Input;
            if (!work.IsQuery)
            {
                _evaluations[work.Evaluator][(work.Case * _repeat) + work.Repetition] = result;
                if (_repetitionsLeft is not null && --_repetitionsLeft[work.Evaluator][work.Case] == 0)
                {
                    Complete(OutcomeAssembly.FromRepetitions(_plan, work.Evaluator, work.Case, _evaluations[work.Evaluator].AsSpan(work.Case * _repeat, _repeat)), cancellationToken);
                }
            }
            else if (result.Succeeded)
            {
                var response = (QueryResponse)result.Value!;
                _plan.SetResponse(work.Case, response.Response, response.SourcePassages, response.SourceIds);
                pipeline!.Resolve(work.Case, succeeded: true);
            }
            else
            {
                _failedQueries[work.Case] = result;
                pipeline!.Resolve(work.Case, succeeded: false);
                if (_repetitionsLeft is not null)
                {
                    for (var e = 0; e < evaluators; e++)
                    {
                        Complete(OutcomeAssembly.FromFailedQuery(_plan, e, work.Case, result), cancellationToken);
                    }
                }
            }
        }

        await Task.WhenAll(_callbacks).ConfigureAwait(false);

        var outcomes = Assemble();
        printer?.PrintCompletion(outcomes, _options.TimeProvider.GetElapsedTime(started), _options.JudgeCache);
        return outcomes;
    }

    /// <summary>Hands a final outcome to <see cref="BatchEvalOptions.OutcomeCompleted"/>; rethrows the first failure of an earlier call.</summary>
    private void Complete(EvalOutcome outcome, CancellationToken cancellationToken)
    {
        _callbacks.RemoveAll(static t => t.IsCompletedSuccessfully);
        if (_callbacks.Find(static t => t.IsCompleted) is { } failed)
        {
            failed.GetAwaiter().GetResult();
        }

        if (outcome.InvalidResult && cancellationToken.IsCancellationRequested)
        {
            return; // it may have failed only because the run is being cancelled: not final
        }

        _callbacks.Add(_options.OutcomeCompleted!(outcome, cancellationToken).AsTask());
    }

    private async ValueTask<object> WorkAsync(EvalWork work, CancellationToken cancellationToken)
    {
        if (work.IsQuery)
        {
            var response = await _queryEngine!.QueryAsync(_plan.Queries[work.Case], cancellationToken).ConfigureAwait(false);
            return response ?? throw new InvalidOperationException($"The query engine returned null for queries[{work.Case}].");
        }

        var evaluator = _plan.Evaluators.Evaluators[work.Evaluator];
        ChatMessage[] messages = [new(ChatRole.User, _plan.Queries[work.Case])];
        var modelResponse = new ChatResponse(new ChatMessage(ChatRole.Assistant, _plan.Responses[work.Case]));
        using (JudgeRepetition.Enter(work.Repetition))
        {
            var result = await evaluator.EvaluateAsync(
                messages, modelResponse, chatConfiguration: null, _plan.AdditionalContext(work.Evaluator, work.Case), cancellationToken).ConfigureAwait(false);
            return result ?? throw new InvalidOperationException(
                $"Evaluator '{_plan.Evaluators.Names[work.Evaluator]}' returned null for queries[{work.Case}].");
        }
    }

    private Dictionary<string, IReadOnlyList<EvalOutcome>> Assemble()
    {
        var outcomes = new Dictionary<string, IReadOnlyList<EvalOutcome>>(StringComparer.Ordinal);
        for (var e = 0; e < _plan.Evaluators.Count; e++)
        {
            var list = new EvalOutcome[_plan.CaseCount];
            for (var c = 0; c < list.Length; c++)
            {
                list[c] = _failedQueries[c] is { } failed
                    ? OutcomeAssembly.FromFailedQuery(_plan, e, c, failed)
                    : OutcomeAssembly.FromRepetitions(_plan, e, c, _evaluations[e].AsSpan(c * _repeat, _repeat));
            }

            outcomes.Add(_plan.Evaluators.Names[e], list);
        }

        return outcomes;
    }
}
