using System.Net;
using Microsoft.Extensions.AI.Evaluation;
using Polly;
using Polly.Retry;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>Results aligned with the input, inputs routed to evaluators, failures kept as invalid outcomes.</summary>
public sealed class BatchEvalRunnerTests
{
    private static readonly string[] Queries = ["q0", "q1", "q2", "q3", "q4"];

    private static double ScoreOf(EvalCall call) => call.Query == "q1" ? 0.0 : 1.0;

    [Fact]
    public async Task Outcomes_are_aligned_with_the_queries_and_carry_the_fields()
    {
        var a = new FakeEvaluator(ScoreOf);
        var b = new FakeEvaluator(_ => 0.25);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = a, ["b"] = b }, workers: 3);

        var results = await runner.EvaluateQueriesAsync(FakeQueryEngine.Echo(), Queries);

        Assert.Equal(["a", "b"], results.Keys.Order());
        for (var i = 0; i < Queries.Length; i++)
        {
            var outcome = results["a"][i];
            Assert.Equal(i, outcome.Index);
            Assert.Equal("a", outcome.EvaluatorName);
            Assert.Equal(Queries[i], outcome.Query);
            Assert.Equal("answer to " + Queries[i], outcome.Response);
            Assert.Equal(["passage for " + Queries[i]], outcome.Passages!);
            Assert.Equal(i == 1 ? 0.0 : 1.0, outcome.Score);
            Assert.Equal(i != 1, outcome.Passing);
            Assert.Equal("feedback for " + Queries[i], outcome.Feedback);
            Assert.False(outcome.InvalidResult);
            Assert.NotNull(outcome.Result);
            Assert.Equal(1, outcome.Attempts);
            Assert.Equal([outcome.Score], outcome.RepetitionScores);
            Assert.Equal(0.25, results["b"][i].Score);
            Assert.False(results["b"][i].Passing);
        }

        Assert.Equal(Queries.Length, a.Calls.Count);
        var passages = a.Calls.Single(c => c.Query == "q2").Find<RetrievedPassagesContext>();
        Assert.Equal(["passage for q2"], passages!.Passages);
    }

    [Fact]
    public async Task Shared_inputs_reach_every_evaluator_and_per_evaluator_inputs_replace_them()
    {
        var a = new FakeEvaluator(_ => 1);
        var b = new FakeEvaluator(_ => 1);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = a, ["b"] = b });
        var inputs = new EvalInputs()
            .WithReferences(["ref0", "ref1"])
            .WithReferences(["b-ref0", "b-ref1"], forEvaluator: "b")
            .WithSecondResponses(new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["other0", "other1"] });

        await runner.EvaluateResponseStringsAsync(["q0", "q1"], ["r0", "r1"], null, inputs);

        var a1 = a.Calls.Single(c => c.Query == "q1");
        Assert.Equal("ref1", a1.Find<ReferenceAnswerContext>()!.ReferenceAnswer);
        Assert.Equal("other1", a1.Find<SecondResponseContext>()!.SecondResponse);
        Assert.Null(a1.Find<RetrievedPassagesContext>());
        var b1 = b.Calls.Single(c => c.Query == "q1");
        Assert.Equal("b-ref1", b1.Find<ReferenceAnswerContext>()!.ReferenceAnswer);
        Assert.Single(b1.Contexts);
        Assert.Equal("r1", b1.Response);
    }

    [Fact]
    public async Task A_failing_evaluator_gives_an_invalid_outcome_and_loses_nothing_else()
    {
        var failing = new FakeEvaluator(c => c.Query == "q3"
            ? throw new HttpRequestException("Service Unavailable (key sk-abcdef123456 rejected)", null, HttpStatusCode.ServiceUnavailable)
            : 1.0);
        var healthy = new FakeEvaluator(_ => 1.0);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["failing"] = failing, ["healthy"] = healthy }, workers: 2);

        var results = await runner.EvaluateResponsesAsync(Queries, Queries.Select(q => new QueryResponse("r " + q)).ToList());

        var bad = results["failing"][3];
        Assert.True(bad.InvalidResult);
        Assert.Null(bad.Score);
        Assert.Null(bad.Passing);
        Assert.Null(bad.Result);
        Assert.Equal("The evaluation failed after 1 attempt: HttpRequestException: Service Unavailable (key [redacted] rejected)", bad.InvalidReason);
        Assert.Equal("r q3", bad.Response);
        Assert.All(results["failing"].Where(o => o.Index != 3), o => Assert.Equal(1.0, o.Score));
        Assert.All(results["healthy"], o => Assert.False(o.InvalidResult));
    }

    [Fact]
    public async Task A_failing_query_makes_its_case_invalid_for_every_evaluator_without_evaluating_it()
    {
        var engine = new FakeQueryEngine((q, _) => q == "q2"
            ? Task.FromException<QueryResponse>(new TimeoutException("attempt timed out"))
            : Task.FromResult(new QueryResponse("answer " + q)));
        var a = new FakeEvaluator(_ => 1);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = a, ["b"] = new FakeEvaluator(_ => 1) });

        var results = await runner.EvaluateQueriesAsync(engine, Queries);

        foreach (var name in new[] { "a", "b" })
        {
            Assert.Equal("The query failed after 1 attempt: TimeoutException: attempt timed out", results[name][2].InvalidReason);
            Assert.Null(results[name][2].Response);
            Assert.Equal(4, results[name].Count(o => !o.InvalidResult));
        }

        Assert.DoesNotContain(a.Calls, c => c.Query == "q2");
        Assert.Equal(4, a.Calls.Count);
    }

    [Fact]
    public async Task ThrowOnError_rethrows_the_first_failure_itself()
    {
        var boom = new InvalidOperationException("judge down");
        var evaluator = new FakeEvaluator(c => c.Query == "q2" ? throw boom : 1.0);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = evaluator }, options: new BatchEvalOptions { ThrowOnError = true });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.EvaluateQueriesAsync(FakeQueryEngine.Echo(), Queries));
        Assert.Same(boom, thrown);
        Assert.Same(boom, Assert.Throws<InvalidOperationException>(() => runner.EvaluateQueries(FakeQueryEngine.Echo(), Queries)));
    }

    [Fact]
    public async Task Retries_of_the_resilience_pipeline_are_counted_in_attempts()
    {
        var failures = 0;
        var evaluator = new FakeEvaluator(c => c.Query == "q1" && Interlocked.Increment(ref failures) <= 2 ? throw new TimeoutException("slow") : 1.0);
        var resilience = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.Zero, ShouldHandle = new PredicateBuilder().Handle<TimeoutException>() })
            .Build();
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = evaluator }, options: new BatchEvalOptions { Resilience = resilience });

        var results = await runner.EvaluateResponseStringsAsync(Queries, Queries);

        Assert.Equal(3, results["a"][1].Attempts);
        Assert.Equal(1.0, results["a"][1].Score);
        Assert.Equal(1, results["a"][0].Attempts);
    }

    [Fact]
    public async Task The_sync_versions_return_the_same_results()
    {
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = new FakeEvaluator(ScoreOf) });
        var fromStrings = runner.EvaluateResponseStrings(Queries, Queries, Queries.Select(q => (IReadOnlyList<string>)[q]).ToList());
        var fromResponses = runner.EvaluateResponses(Queries, Queries.Select(q => new QueryResponse(q)).ToList());
        var fromQueries = runner.EvaluateQueries(FakeQueryEngine.Echo(), Queries);
        var expected = (await runner.EvaluateResponseStringsAsync(Queries, Queries))["a"].Select(o => o.Score);
        Assert.Equal(expected, fromStrings["a"].Select(o => o.Score));
        Assert.Equal(expected, fromResponses["a"].Select(o => o.Score));
        Assert.Equal(expected, fromQueries["a"].Select(o => o.Score));
    }

    [Fact]
    public async Task No_queries_give_empty_lists()
    {
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = new FakeEvaluator(_ => 1) });
        var results = await runner.EvaluateQueriesAsync(FakeQueryEngine.Echo(), []);
        Assert.Empty(results["a"]);
    }
}
