using Microsoft.Extensions.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>The judge cache keys on the messages, so a different template gets its own entries.</summary>
public sealed class JudgePromptCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-judge-prompt-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_different_template_misses_the_cache_and_the_same_one_hits()
    {
        var inner = new CountingChatClient((prompt, call) => "YES " + call);
        using var cache = new SqliteDistributedCache(Path.Combine(_directory, "judge.db"));
        using var judge = new ChatClientBuilder(inner).UseJudgeCache(cache).Build();
        var custom = new JudgePromptTemplate("Be strict.", "Claim: {response}\nSources: {passages}");
        var systemOnly = FaithfulnessEvaluator.DefaultTemplate with { SystemPrompt = "Be lenient." };

        var defaultFirst = await Evaluate(new FaithfulnessEvaluator(judge));
        var customFirst = await Evaluate(new FaithfulnessEvaluator(judge, template: custom));
        var systemFirst = await Evaluate(new FaithfulnessEvaluator(judge, template: systemOnly));
        var defaultAgain = await Evaluate(new FaithfulnessEvaluator(judge));
        var customAgain = await Evaluate(new FaithfulnessEvaluator(judge, template: custom with { }));

        Assert.Equal(3, inner.Calls);
        Assert.Equal(3, cache.Count());
        Assert.Equal(2, cache.Hits);
        Assert.Equal(["1", "2", "3", "1", "2"], new[] { defaultFirst, customFirst, systemFirst, defaultAgain, customAgain });
    }

    private static async Task<string> Evaluate(FaithfulnessEvaluator evaluator)
    {
        var result = await evaluator.EvaluateAsync(
            Inputs.Query("q"), Inputs.Response("Paris is French."), additionalContext: [new RetrievedPassagesContext(["Paris is in France."])]);
        return EvaluationReading.Read(result, evaluator).Feedback!;
    }
}
