using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Evaluation.Tests;

/// <summary>
/// 200 cases × 3 judges against the simulator over real HTTP, with scripted verdicts and 10 % faults (500/502/503 and
/// hangs cut by a short attempt timeout): 600 outcomes, each correct, none missing, none duplicated.
/// </summary>
public sealed class SimulatorEvaluationTests
{
    private const int Cases = 200;

    private static SimulatorOptions Faulty => new()
    {
        Rules = JudgeScript.Rules,
        Error500Rate = 0.03,
        Error502Rate = 0.03,
        Error503Rate = 0.03,
        HangRate = 0.01,
        MaxHangMs = 20_000,
    };

    private static Dictionary<string, IEvaluator> Judges(IChatClient judge) => new()
    {
        ["faithfulness"] = new FaithfulnessEvaluator(judge),
        ["relevancy"] = new RelevancyEvaluator(judge),
        ["correctness"] = new CorrectnessEvaluator(judge),
    };

    [Fact]
    public async Task Six_hundred_outcomes_each_correct_none_missing_none_duplicated_despite_faults()
    {
        await using var host = await SimulatorHost.StartAsync(Faulty);
        using var judge = SimulatorJudge.Create(host);
        await SimulatorJudge.WarmUpAsync(host, judge);
        var runner = new BatchEvalRunner(Judges(judge), workers: 16);
        var queries = Enumerable.Range(0, Cases).Select(JudgeScript.Query).ToList();
        var responses = Enumerable.Range(0, Cases).Select(JudgeScript.Response).ToList();
        var contexts = Enumerable.Range(0, Cases).Select(JudgeScript.Passages).ToList();

        var results = await runner.EvaluateResponseStringsAsync(queries, responses, contexts);

        Assert.Equal(3 * Cases, results.Values.Sum(l => l.Count));
        for (var i = 0; i < Cases; i++)
        {
            var faithfulness = results["faithfulness"][i];
            var relevancy = results["relevancy"][i];
            var correctness = results["correctness"][i];
            Assert.All(new[] { faithfulness, relevancy, correctness }, o =>
            {
                Assert.False(o.InvalidResult, $"case {i} {o.EvaluatorName}: {o.InvalidReason}");
                Assert.Equal(i, o.Index);
                Assert.Equal(JudgeScript.Response(i), o.Response);
            });
            Assert.Equal(JudgeScript.Faithful(i) ? 1.0 : 0.0, faithfulness.Score);
            Assert.Equal(JudgeScript.Faithful(i), faithfulness.Passing);
            Assert.Equal(JudgeScript.Relevant(i) ? 1.0 : 0.0, relevancy.Score);
            Assert.Equal(JudgeScript.Relevant(i), relevancy.Passing);
            Assert.Equal(JudgeScript.Correctness(i), correctness.Score);
            Assert.Equal(JudgeScript.Correctness(i) >= 4, correctness.Passing);
        }

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.True(stats.Faults.Values.Sum() > 0, "the simulator injected no faults");
        Assert.True(judge.GetService<UsageLedger>()!.Retries > 0, "no call needed a retry");
        Assert.Equal(3 * Cases, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);
        Assert.Equal(3 * Cases, stats.ByEndpoint["chat"]["200"]);
    }

    [Fact]
    public async Task Validation_errors_are_thrown_before_the_simulator_sees_a_request()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Rules = JudgeScript.Rules });
        using var judge = SimulatorJudge.Create(host);
        await SimulatorJudge.WarmUpAsync(host, judge); // a cold first attempt could outlast the attempt timeout and be sent twice
        var runner = new BatchEvalRunner(Judges(judge), workers: 4);
        var queries = Enumerable.Range(0, 10).Select(JudgeScript.Query).ToList();
        var responses = Enumerable.Range(0, 10).Select(JudgeScript.Response).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => runner.EvaluateResponseStringsAsync(queries, responses[..9]));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.EvaluateResponseStringsAsync(queries, responses, null, new EvalInputs().WithReferences(responses, forEvaluator: "correctnes")));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.EvaluateResponseStringsAsync(queries, responses, null, new EvalInputs().WithReferences([.. responses[..9], null!])));
        Assert.Equal(0, host.GetStats().Requests);

        // The same runner and simulator do answer a valid run, so zero requests above means validation stopped them.
        var valid = await runner.EvaluateResponseStringsAsync(queries, responses, queries.Select((_, i) => JudgeScript.Passages(i)).ToList());
        Assert.All(valid.Values.SelectMany(l => l), o => Assert.False(o.InvalidResult, o.InvalidReason));
        Assert.Equal(30, (await host.GetStatsWhenIdleAsync()).Requests);
    }
}
