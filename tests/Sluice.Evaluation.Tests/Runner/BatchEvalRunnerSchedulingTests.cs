using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>One concurrency bound across queries and evaluations, pipelining, repetition and progress.</summary>
public sealed class BatchEvalRunnerSchedulingTests
{
    [Fact]
    public async Task Evaluation_of_the_first_case_starts_before_later_queries_start_and_before_the_last_one_finishes()
    {
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var firstEvaluationStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queries = Enumerable.Range(0, 20).Select(i => $"q{i}").ToList();
        var engine = new FakeQueryEngine(async (q, ct) =>
        {
            events.Enqueue("query " + q);
            if (q == "q19")
            {
                // Run-all-queries-then-evaluate would wait here for an evaluation that never starts; the timeout fails the case.
                await firstEvaluationStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            }

            return new QueryResponse("answer " + q);
        });
        var evaluator = new FakeEvaluator(c =>
        {
            events.Enqueue("evaluate " + c.Query);
            if (c.Query == "q0")
            {
                firstEvaluationStarted.TrySetResult();
            }

            return 1.0;
        });
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = evaluator }, workers: 2);

        var results = await runner.EvaluateQueriesAsync(engine, queries);

        Assert.All(results["a"], o => Assert.False(o.InvalidResult, o.InvalidReason));
        var order = events.ToList();
        Assert.True(order.IndexOf("evaluate q0") < order.IndexOf("query q10"), string.Join(", ", order));
    }

    [Fact]
    public async Task Workers_bound_query_and_evaluator_calls_together()
    {
        const int workers = 3;
        var probe = new ConcurrencyProbe();

        // Every call is held until `workers` calls have run at once, so reaching the bound is proven, not hoped for.
        // A runner that never reaches it fails the calls with a timeout.
        var reachedWorkers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Hold(CancellationToken ct)
        {
            if (probe.Max >= workers)
            {
                reachedWorkers.TrySetResult();
            }

            try
            {
                await reachedWorkers.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            catch (TimeoutException ex)
            {
                reachedWorkers.TrySetException(ex); // every later call fails at once instead of waiting again
                throw;
            }

            await Task.Delay(3, ct); // simulated work, so calls overlap
        }

        var engine = new FakeQueryEngine(async (q, ct) =>
        {
            await Hold(ct);
            return new QueryResponse("answer " + q);
        }, probe);
        async ValueTask<double> Slow(EvalCall call)
        {
            await Hold(CancellationToken.None);
            return 1.0;
        }

        var runner = new BatchEvalRunner(
            new Dictionary<string, IEvaluator> { ["a"] = new FakeEvaluator(Slow, probe), ["b"] = new FakeEvaluator(Slow, probe) }, workers);

        var results = await runner.EvaluateQueriesAsync(engine, Enumerable.Range(0, 30).Select(i => $"q{i}").ToList());

        Assert.Equal(workers, probe.Max);
        Assert.Equal(30, engine.Calls.Count);
        Assert.All(results.Values.SelectMany(l => l), o => Assert.False(o.InvalidResult));
    }

    [Fact]
    public async Task Repeat_runs_each_evaluation_n_times_and_reports_the_spread()
    {
        // Repetitions 0, 1, 2 score 0, 0.5, 1 on q0 and always 1 on q1.
        var evaluator = new FakeEvaluator(c => c.Query == "q0" ? c.Repetition / 2.0 : 1.0);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = evaluator }, options: new BatchEvalOptions { Repeat = 3 });

        var results = await runner.EvaluateResponseStringsAsync(["q0", "q1"], ["r0", "r1"]);

        var varied = results["a"][0];
        Assert.Equal([0.0, 0.5, 1.0], varied.RepetitionScores);
        Assert.Equal(0.5, varied.Score);
        Assert.Equal(0.5, varied.ScoreStdDev!.Value, 12);
        Assert.True(varied.Passing); // the majority: 0 fails, 0.5 and 1 pass
        Assert.Equal(3, varied.Attempts);
        Assert.Equal(0.0, results["a"][1].ScoreStdDev);
        Assert.True(results["a"][1].Passing);
        Assert.Equal(6, evaluator.Calls.Count);
        Assert.Equal(0.25, EvalSummary.Compute("a", results["a"]).MeanRepetitionStdDev!.Value, 12);
    }

    [Fact]
    public async Task Progress_is_reported_and_show_progress_prints_a_completion_summary()
    {
        var reports = new List<BatchProgress>();
        var writer = new StringWriter();
        var runner = new BatchEvalRunner(
            new Dictionary<string, IEvaluator> { ["a"] = new FakeEvaluator(_ => 1), ["b"] = new FakeEvaluator(_ => 0) },
            workers: 2,
            showProgress: true,
            new BatchEvalOptions { Progress = new SyncProgress(reports), ProgressWriter = writer });

        await runner.EvaluateQueriesAsync(FakeQueryEngine.Echo(), ["q0", "q1", "q2"]);

        var last = reports[^1];
        Assert.Equal(9, last.Total); // 3 queries + 3 × 2 evaluations
        Assert.Equal(9, last.Completed);
        var text = writer.ToString();
        Assert.Contains("eval: complete: 6 outcomes (0 invalid) from 2 evaluator(s)", text);
        Assert.Contains("a: 3 cases, 0 invalid, mean 1,", text);
        Assert.Contains("b: 3 cases, 0 invalid, mean 0,", text);
    }

    private sealed class SyncProgress(List<BatchProgress> reports) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => reports.Add(value);
    }
}
