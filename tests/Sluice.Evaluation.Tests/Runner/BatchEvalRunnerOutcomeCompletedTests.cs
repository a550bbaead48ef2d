using System.Collections.Concurrent;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary><see cref="BatchEvalOptions.OutcomeCompleted"/>: each final outcome once, after its repetitions, failed queries
/// included, equal to the returned outcome; a failing callback fails the run.</summary>
public sealed class BatchEvalRunnerOutcomeCompletedTests
{
    [Fact]
    public async Task Each_final_outcome_is_given_once_after_all_its_repetitions_and_equals_the_returned_one()
    {
        var seen = new ConcurrentBag<EvalOutcome>();
        var a = new FakeEvaluator(call => call.Repetition);
        var b = new FakeEvaluator(_ => 1.0);
        var engine = new FakeQueryEngine((q, _) => q == "q3"
            ? Task.FromException<QueryResponse>(new InvalidOperationException("engine down"))
            : Task.FromResult(new QueryResponse("answer to " + q)));
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = a, ["b"] = b }, workers: 3, options: new BatchEvalOptions
        {
            Repeat = 3,
            OutcomeCompleted = (outcome, _) =>
            {
                seen.Add(outcome);
                return ValueTask.CompletedTask;
            },
        });
        string[] queries = ["q0", "q1", "q2", "q3", "q4"];

        var results = await runner.EvaluateQueriesAsync(engine, queries);

        Assert.Equal(10, seen.Count);
        Assert.Equal(10, seen.Select(o => (o.EvaluatorName, o.Index)).Distinct().Count());
        foreach (var outcome in seen)
        {
            var returned = results[outcome.EvaluatorName][outcome.Index];
            Assert.Equal(returned.Score, outcome.Score);
            Assert.Equal(returned.InvalidResult, outcome.InvalidResult);
            Assert.Equal(returned.RepetitionScores, outcome.RepetitionScores);
        }

        Assert.All(seen.Where(o => o.Index == 3), o => Assert.Contains("engine down", o.InvalidReason));
        Assert.All(seen.Where(o => o.Index != 3 && o.EvaluatorName == "a"), o => Assert.Equal(1.0, o.Score)); // mean of 0, 1, 2
    }

    [Fact]
    public async Task A_failing_callback_fails_the_run_with_its_exception()
    {
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = new FakeEvaluator(_ => 1.0) }, workers: 2, options: new BatchEvalOptions
        {
            OutcomeCompleted = (_, _) => ValueTask.FromException(new IOException("disk full")),
        });

        var error = await Assert.ThrowsAsync<IOException>(() => runner.EvaluateResponseStringsAsync(["q0", "q1", "q2"], ["r0", "r1", "r2"]));

        Assert.Equal("disk full", error.Message);
    }
}
