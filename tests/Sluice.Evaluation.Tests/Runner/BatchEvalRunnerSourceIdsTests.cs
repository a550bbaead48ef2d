using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>A response's source ids and the expected ids of <see cref="EvalInputs.WithExpectedIds"/> reach
/// <see cref="RetrieverEvaluator"/> as a <see cref="RetrievedIdsContext"/>, with no adapter.</summary>
public sealed class BatchEvalRunnerSourceIdsTests
{
    [Fact]
    public void Source_ids_are_optional_and_must_match_the_passages()
    {
        var none = new QueryResponse("a", ["p1", "p2"]);
        Assert.Empty(none.SourceIds);

        var withIds = new QueryResponse("a", ["p1", "p2"]) { SourceIds = ["d1", "d1"] };
        Assert.Equal(["d1", "d1"], withIds.SourceIds);
        Assert.Empty((withIds with { SourceIds = null! }).SourceIds);

        var wrongLength = Assert.Throws<ArgumentException>(() => new QueryResponse("a", ["p1", "p2"]) { SourceIds = ["d1"] });
        Assert.Contains("SourceIds has 1 entries but SourcePassages has 2", wrongLength.Message, StringComparison.Ordinal);
        var nullEntry = Assert.Throws<ArgumentException>(() => new QueryResponse("a", ["p1", "p2"]) { SourceIds = ["d1", null!] });
        Assert.Contains("SourceIds[1] is null", nullEntry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_source_ids_and_the_expected_ids_are_scored_by_the_retriever_evaluator()
    {
        // q0 retrieves the relevant document second (after a duplicate of another); q1 misses; q2 has no ids at all.
        var engine = new FakeQueryEngine((q, _) => Task.FromResult(q switch
        {
            "q0" => new QueryResponse("r0", ["a", "b", "c"]) { SourceIds = ["other", "other", "doc0"] },
            "q1" => new QueryResponse("r1", ["a"]) { SourceIds = ["other"] },
            _ => new QueryResponse("r2", ["a"]),
        }));
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["retrieval"] = new RetrieverEvaluator() });
        IReadOnlyList<string>[] expected = [["doc0"], ["doc1"], ["doc2"]];

        var outcomes = (await runner.EvaluateQueriesAsync(engine, ["q0", "q1", "q2"], new EvalInputs().WithExpectedIds(expected)))["retrieval"];

        Assert.Equal(1.0, outcomes[0].Score); // hit rate, the primary metric
        Assert.Equal(0.5, outcomes[0].Result!.Get<NumericMetric>(RetrieverEvaluator.MrrMetricName).Value); // [other, doc0] after de-duplication
        Assert.Equal(0.0, outcomes[1].Score);
        Assert.True(outcomes[2].InvalidResult); // no source ids: the evaluator has no RetrievedIdsContext
        Assert.False(outcomes[0].InvalidResult);
        Assert.False(outcomes[1].InvalidResult);
    }

    [Fact]
    public async Task Responses_given_with_source_ids_are_scored_too_and_a_per_evaluator_list_is_honoured()
    {
        var retrieval = new FakeEvaluator(_ => 1);
        var other = new FakeEvaluator(_ => 1);
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["retrieval"] = retrieval, ["other"] = other });
        QueryResponse[] responses = [new("r0", ["p"]) { SourceIds = ["d0"] }];

        await runner.EvaluateResponsesAsync(["q0"], responses, new EvalInputs().WithExpectedIds([["d0", "d9"]], forEvaluator: "retrieval"));

        var ids = retrieval.Calls.Single().Find<RetrievedIdsContext>()!;
        Assert.Equal(["d0"], ids.RetrievedIds);
        Assert.Equal(["d0", "d9"], ids.ExpectedIds);
        Assert.Null(other.Calls.Single().Find<RetrievedIdsContext>());
    }

    [Fact]
    public async Task An_empty_expected_list_is_rejected_before_any_call()
    {
        var engine = FakeQueryEngine.Echo();
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["retrieval"] = new RetrieverEvaluator() });

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.EvaluateQueriesAsync(engine, ["q0", "q1"], new EvalInputs().WithExpectedIds([["d0"], []])));

        Assert.Contains("'expected_ids'[1] is invalid", error.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Calls);
    }
}
