using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

/// <summary>
/// The default prompts are byte-identical to the prompts before templates (<see cref="LegacyJudgePrompts"/>): each
/// evaluator, given a few inputs, sends exactly the legacy system and user texts.
/// </summary>
public sealed class DefaultJudgePromptTests
{
    public static TheoryData<string, string, string[], string?> Cases => new()
    {
        { "Capital of France?", "Paris.", ["Paris is the capital of France.", "France is in Europe."], "Paris" },
        { "What does {query} mean in {{C#}}?", "It is a placeholder: {response} {passages} }} {", ["One passage with {braces}."], null },
        { "Ünïcödé — “quotes”\r\nand a CRLF", "", ["a", "", "c"], "" },
        { "  padded  ", "multi\nline\nresponse\n", ["line one\nline two"], "{reference}" },
    };

    private const string GuidelineReply = "{\"passing\": true, \"feedback\": \"ok\"}";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Faithfulness_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = reference;
        var sent = await Send(judge => new FaithfulnessEvaluator(judge), "YES", query, response, [new RetrievedPassagesContext(contexts)]);

        Assert.Equal(LegacyJudgePrompts.System, sent.System);
        Assert.Equal(LegacyJudgePrompts.Faithfulness(response, contexts), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Relevancy_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = reference;
        var sent = await Send(judge => new RelevancyEvaluator(judge), "YES", query, response, [new RetrievedPassagesContext(contexts)]);

        Assert.Equal(LegacyJudgePrompts.System, sent.System);
        Assert.Equal(LegacyJudgePrompts.Relevancy(query, response, contexts), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Correctness_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = contexts;
        var sent = await Send(judge => new CorrectnessEvaluator(judge), "4", query, response, ReferenceOrNothing(reference));

        Assert.Equal(LegacyJudgePrompts.CorrectnessSystem, sent.System);
        Assert.Equal(LegacyJudgePrompts.Correctness(query, response, reference), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Guideline_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = reference;
        var guidelines = string.Join("\n", contexts);
        var sent = await Send(judge => new GuidelineEvaluator(judge, guidelines: guidelines + "."), GuidelineReply, query, response, []);

        Assert.Equal(LegacyJudgePrompts.System, sent.System);
        Assert.Equal(LegacyJudgePrompts.Guideline(query, response, guidelines + "."), sent.User);
    }

    [Fact]
    public async Task Guideline_with_the_default_guidelines_sends_the_legacy_prompt()
    {
        var sent = await Send(judge => new GuidelineEvaluator(judge), GuidelineReply, "q", "r", []);

        Assert.Equal(LegacyJudgePrompts.Guideline("q", "r", GuidelineEvaluator.DefaultGuidelines), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnswerRelevancy_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = (contexts, reference);
        var sent = await Send(judge => new AnswerRelevancyEvaluator(judge), "[RESULT] 2", query, response, []);

        Assert.Equal(LegacyJudgePrompts.System, sent.System);
        Assert.Equal(LegacyJudgePrompts.AnswerRelevancy(query, response), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ContextRelevancy_sends_the_legacy_prompt(string query, string response, string[] contexts, string? reference)
    {
        _ = reference;
        var sent = await Send(judge => new ContextRelevancyEvaluator(judge), "[RESULT] 4", query, response, [new RetrievedPassagesContext(contexts)]);

        Assert.Equal(LegacyJudgePrompts.System, sent.System);
        Assert.Equal(LegacyJudgePrompts.ContextRelevancy(query, contexts), sent.User);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Pairwise_sends_the_legacy_prompts_in_both_orders(string query, string response, string[] contexts, string? reference)
    {
        var second = string.Join(" / ", contexts);
        var judge = new ScriptedChatClient("[[A]]", "[[B]]");
        EvaluationContext[] additional = [new SecondResponseContext(second), .. ReferenceOrNothing(reference)];

        await new PairwiseComparisonEvaluator(judge).EvaluateAsync(Inputs.Query(query), Inputs.Response(response), additionalContext: additional);

        Assert.Equal(2, judge.Requests.Count);
        Assert.All(judge.Requests, request => Assert.Equal(LegacyJudgePrompts.PairwiseSystem, request.Messages[0].Text));
        Assert.Equal(LegacyJudgePrompts.Pairwise(query, response, second, reference), judge.Requests[0].Messages[1].Text);
        Assert.Equal(LegacyJudgePrompts.Pairwise(query, second, response, reference), judge.Requests[1].Messages[1].Text);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_default_template_renders_the_legacy_text(string query, string response, string[] contexts, string? reference)
    {
        var context = JudgePrompts.JoinPassages(contexts);
        var guidelines = string.Join("\n", contexts);

        Assert.Equal(
            (LegacyJudgePrompts.System, LegacyJudgePrompts.Faithfulness(response, contexts)),
            Render(JudgePrompts.FaithfulnessTemplate, ("response", response), ("passages", context)));
        Assert.Equal(
            (LegacyJudgePrompts.System, LegacyJudgePrompts.Relevancy(query, response, contexts)),
            Render(JudgePrompts.RelevancyTemplate, ("query", query), ("response", response), ("passages", context)));
        Assert.Equal(
            (LegacyJudgePrompts.CorrectnessSystem, LegacyJudgePrompts.Correctness(query, response, reference)),
            Render(JudgePrompts.CorrectnessTemplate, ("query", query), ("response", response), ("reference", reference ?? JudgePrompts.CorrectnessNoReference)));
        Assert.Equal(
            (LegacyJudgePrompts.System, LegacyJudgePrompts.Guideline(query, response, guidelines)),
            Render(JudgePrompts.GuidelineTemplate, ("query", query), ("response", response), ("guidelines", guidelines)));
        Assert.Equal(
            (LegacyJudgePrompts.System, LegacyJudgePrompts.AnswerRelevancy(query, response)),
            Render(JudgePrompts.AnswerRelevancyTemplate, ("query", query), ("response", response)));
        Assert.Equal(
            (LegacyJudgePrompts.System, LegacyJudgePrompts.ContextRelevancy(query, contexts)),
            Render(JudgePrompts.ContextRelevancyTemplate, ("query", query), ("passages", context)));
        Assert.Equal(
            (LegacyJudgePrompts.PairwiseSystem, LegacyJudgePrompts.Pairwise(query, response, guidelines, reference)),
            Render(JudgePrompts.PairwiseTemplate, ("query", query), ("answer_a", response), ("answer_b", guidelines), ("reference", reference ?? JudgePrompts.PairwiseNoReference)));
    }

    /// <summary>Compiles <paramref name="template"/> allowing exactly the named values, and renders it.</summary>
    private static (string System, string User) Render(JudgePromptTemplate template, params (string Name, string Value)[] values) =>
        JudgePrompt.Compile(template, "Test", [.. values.Select(v => v.Name)]).Render(values);

    private static EvaluationContext[] ReferenceOrNothing(string? reference) =>
        reference is null ? [] : [new ReferenceAnswerContext(reference)];

    private static async Task<(string System, string User)> Send(
        Func<IChatClient, IEvaluator> create, string reply, string query, string response, EvaluationContext[] additionalContext)
    {
        var judge = new ScriptedChatClient(reply);
        var result = await create(judge).EvaluateAsync(Inputs.Query(query), Inputs.Response(response), additionalContext: additionalContext);

        Assert.False(EvaluationReading.Read(result.Metrics.Values.First()).Invalid);
        var messages = Assert.Single(judge.Requests).Messages;
        Assert.Equal([ChatRole.System, ChatRole.User], messages.Select(m => m.Role));
        return (messages[0].Text, messages[1].Text);
    }
}
