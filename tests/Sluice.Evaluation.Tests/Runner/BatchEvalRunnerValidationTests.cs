using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>Every bad input is rejected with a message naming it, before the query engine or any evaluator is called.</summary>
public sealed class BatchEvalRunnerValidationTests
{
    private readonly FakeEvaluator _first = new(_ => 1.0);
    private readonly FakeEvaluator _second = new(_ => 1.0);
    private readonly FakeQueryEngine _engine = FakeQueryEngine.Echo();

    private BatchEvalRunner Runner(int workers = 2) =>
        new(new Dictionary<string, IEvaluator> { ["first"] = _first, ["second"] = _second }, workers);

    private static readonly string[] Queries = ["q0", "q1", "q2", "q3"];

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Workers_must_be_positive(int workers)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Runner(workers));
        Assert.Equal("workers", ex.ParamName);
        Assert.Contains($"it was {workers}", ex.Message);
    }

    [Fact]
    public void Repeat_below_one_names_the_option()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["a"] = _first }, options: new BatchEvalOptions { Repeat = 0 }));
        Assert.Contains("BatchEvalOptions.Repeat", ex.Message);
    }

    [Fact]
    public void Empty_or_null_evaluators_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BatchEvalRunner(new Dictionary<string, IEvaluator>()));
        var ex = Assert.Throws<ArgumentException>(() => new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["broken"] = null! }));
        Assert.Contains("evaluators['broken'] is null", ex.Message);
    }

    [Fact]
    public async Task Response_strings_of_another_length_name_the_input_and_both_lengths()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponseStringsAsync(Queries, ["r0", "r1", "r2"]));
        Assert.Equal("responseStrings", ex.ParamName);
        Assert.Contains("responseStrings has 3 entries but queries has 4", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task A_null_query_is_reported_with_its_index()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponseStringsAsync(["q0", null!, "q2"], ["r0", "r1", "r2"]));
        Assert.Contains("queries[1] is null", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task A_null_response_and_a_null_passage_are_reported_with_their_index()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Runner().EvaluateResponseStringsAsync(Queries, ["r0", "r1", "r2", null!]));
        Assert.Contains("responseStrings[3] is null", ex.Message);

        ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponseStringsAsync(Queries, ["r0", "r1", "r2", "r3"], [["a"], ["b"], ["c", null!], ["d"]]));
        Assert.Contains("passagesList[2][1] is null", ex.Message);

        ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponseStringsAsync(Queries, ["r0", "r1", "r2", "r3"], [["a"], null!, ["c"], ["d"]]));
        Assert.Contains("passagesList[1] is null", ex.Message);

        ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponsesAsync(Queries, [new QueryResponse("r0"), null!, new QueryResponse("r2"), new QueryResponse("r3")]));
        Assert.Contains("responses[1] is null", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task Contexts_of_another_length_are_rejected()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateResponseStringsAsync(Queries, ["r0", "r1", "r2", "r3"], [["a"], ["b"]]));
        Assert.Contains("passagesList has 2 entries but queries has 4", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task A_shared_keyword_list_of_another_length_names_the_keyword()
    {
        var inputs = new EvalInputs().WithReferences(["a", "b", "c", "d", "e"]);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Runner().EvaluateQueriesAsync(_engine, Queries, inputs));
        Assert.Contains("'references' has 5 entries but queries has 4", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task A_per_evaluator_list_of_another_length_names_the_keyword_and_the_evaluator()
    {
        var inputs = new EvalInputs().WithGuidelines(new Dictionary<string, IReadOnlyList<string>> { ["second"] = ["g"] });
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Runner().EvaluateQueriesAsync(_engine, Queries, inputs));
        Assert.Contains("'guidelines' for evaluator 'second' has 1 entries but queries has 4", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task An_unknown_evaluator_name_lists_the_known_ones()
    {
        var inputs = new EvalInputs().WithReferences(["a", "b", "c", "d"], forEvaluator: "thrid");
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Runner().EvaluateQueriesAsync(_engine, Queries, inputs));
        Assert.Contains("'references' for evaluator 'thrid' names an unknown evaluator", ex.Message);
        Assert.Contains("'first', 'second'", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public async Task A_null_or_invalid_keyword_entry_is_reported_with_its_index()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateQueriesAsync(_engine, Queries, new EvalInputs().WithReferences(["a", "b", null!, "d"])));
        Assert.Contains("'references'[2] is null", ex.Message);

        ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Runner().EvaluateQueriesAsync(_engine, Queries, new EvalInputs().WithGuidelines(["g", " ", "g", "g"])));
        Assert.Contains("'guidelines'[1] is invalid", ex.Message);
        AssertNoCalls();
    }

    [Fact]
    public void The_same_keyword_twice_for_the_same_target_is_rejected_at_once()
    {
        var inputs = new EvalInputs().WithReferences(["a"]);
        var ex = Assert.Throws<ArgumentException>(() => inputs.WithReferences(["b"]));
        Assert.Contains("'references' was already given for all evaluators", ex.Message);
    }

    [Fact]
    public void The_sync_version_throws_the_same_validation_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Runner().EvaluateResponseStrings(Queries, ["r0"]));
        Assert.Contains("responseStrings has 1 entries but queries has 4", ex.Message);
        AssertNoCalls();
    }

    private void AssertNoCalls()
    {
        Assert.Empty(_engine.Calls);
        Assert.Empty(_first.Calls);
        Assert.Empty(_second.Calls);
    }
}
