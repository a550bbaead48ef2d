using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

/// <summary>Custom <see cref="JudgePromptTemplate"/>s: rendered with the inputs, sent as the judge's messages, and read by the evaluator's own parser.</summary>
public sealed class CustomJudgePromptTests
{
    private static readonly EvaluationContext[] Passages = [new RetrievedPassagesContext(["Paris is in France.", "Lyon too."])];

    [Fact]
    public async Task Faithfulness_sends_the_custom_template_rendered_with_the_inputs()
    {
        var judge = new ScriptedChatClient("YES, supported.");
        var template = new JudgePromptTemplate("Be strict.", "Claim: {response}\nSources:\n{passages}\nReply YES or NO.");
        var evaluator = new FaithfulnessEvaluator(judge, template: template);

        var result = await evaluator.EvaluateAsync(Inputs.Query("ignored"), Inputs.Response("Paris is French."), additionalContext: Passages);

        var messages = Assert.Single(judge.Requests).Messages;
        Assert.Equal("Be strict.", messages[0].Text);
        Assert.Equal("Claim: Paris is French.\nSources:\nParis is in France.\n\n---\n\nLyon too.\nReply YES or NO.", messages[1].Text);
        Assert.Equal(new MetricReading(true, 1.0, "supported.", false, null), EvaluationReading.Read(result, evaluator));
        Assert.Same(template, evaluator.Template);
    }

    [Fact]
    public async Task Placeholders_in_the_system_prompt_are_rendered_and_may_repeat()
    {
        var judge = new ScriptedChatClient("[RESULT] 2");
        var template = new JudgePromptTemplate("You judge answers to: {query}", "{query} / {response} / {query}\n[RESULT] n, n from 0 to 2");

        await new AnswerRelevancyEvaluator(judge, template: template).EvaluateAsync(Inputs.Query("Q?"), Inputs.Response("R."));

        var messages = Assert.Single(judge.Requests).Messages;
        Assert.Equal("You judge answers to: Q?", messages[0].Text);
        Assert.Equal("Q? / R. / Q?\n[RESULT] n, n from 0 to 2", messages[1].Text);
    }

    [Fact]
    public async Task Doubled_braces_are_literal_and_braces_in_the_inputs_are_never_placeholders()
    {
        var judge = new ScriptedChatClient("{\"passing\": true, \"feedback\": \"fine\"}");
        var template = new JudgePromptTemplate(
            "Reply {{\"passing\": bool, \"feedback\": string}} only.",
            "{{{query}}} {{query}} }}{{ {response} | {guidelines}");

        var result = await new GuidelineEvaluator(judge, guidelines: "G {response}", template: template)
            .EvaluateAsync(Inputs.Query("q {guidelines}"), Inputs.Response("r {{x}}"));

        var messages = Assert.Single(judge.Requests).Messages;
        Assert.Equal("Reply {\"passing\": bool, \"feedback\": string} only.", messages[0].Text);
        Assert.Equal("{q {guidelines}} {query} }{ r {{x}} | G {response}", messages[1].Text);
        Assert.True(EvaluationReading.Read(result, GuidelineEvaluator.MetricName).Passing);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Correctness_renders_the_reference_or_its_stand_in(bool withReference)
    {
        var judge = new ScriptedChatClient("5\nRight.");
        var template = new JudgePromptTemplate("Score 1-5 on the first line.", "Q={query} A={response} REF={reference}");
        EvaluationContext[] context = withReference ? [new ReferenceAnswerContext("gold")] : [];

        var result = await new CorrectnessEvaluator(judge, template: template).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: context);

        Assert.Equal(withReference ? "Q=q A=r REF=gold" : "Q=q A=r REF=(no reference answer was supplied)", judge.LastPrompt);
        Assert.Equal(5.0, EvaluationReading.Read(result, CorrectnessEvaluator.MetricName).Score);
    }

    [Fact]
    public async Task Correctness_may_leave_out_the_optional_reference()
    {
        var judge = new ScriptedChatClient("4");

        await new CorrectnessEvaluator(judge, template: new("Score it.", "{query} -> {response}")).EvaluateAsync(
            Inputs.Query("q"), Inputs.Response("r"), additionalContext: [new ReferenceAnswerContext("gold")]);

        Assert.Equal("q -> r", judge.LastPrompt);
    }

    [Fact]
    public async Task Relevancy_and_ContextRelevancy_send_their_custom_templates()
    {
        var relevancyJudge = new ScriptedChatClient("NO");
        var contextJudge = new ScriptedChatClient("[RESULT] 3");

        await new RelevancyEvaluator(relevancyJudge, template: new("S", "{query}|{response}|{passages}"))
            .EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Passages);
        var result = await new ContextRelevancyEvaluator(contextJudge, template: new("S", "{passages}|{query}"))
            .EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Passages);

        Assert.Equal("q|r|Paris is in France.\n\n---\n\nLyon too.", relevancyJudge.LastPrompt);
        Assert.Equal("Paris is in France.\n\n---\n\nLyon too.|q", contextJudge.LastPrompt);
        Assert.Equal(0.75, EvaluationReading.Read(result, ContextRelevancyEvaluator.MetricName).Score);
    }

    [Fact]
    public async Task Pairwise_renders_the_custom_template_in_both_orders()
    {
        var judge = new ScriptedChatClient("[[B]]", "[[A]]");
        var template = new JudgePromptTemplate("Compare; end with [[A]], [[B]] or [[C]].", "{query}\nA: {answer_a}\nB: {answer_b}\nRef: {reference}");
        var evaluator = new PairwiseComparisonEvaluator(judge, template: template);

        var result = await evaluator.EvaluateAsync(
            Inputs.Query("q"), Inputs.Response("mine"), additionalContext: [new SecondResponseContext("theirs")]);

        Assert.Equal("Compare; end with [[A]], [[B]] or [[C]].", judge.Requests[0].Messages[0].Text);
        Assert.Equal("q\nA: mine\nB: theirs\nRef: (none)", judge.Requests[0].Messages[1].Text);
        Assert.Equal("q\nA: theirs\nB: mine\nRef: (none)", judge.Requests[1].Messages[1].Text);
        Assert.Equal(0.0, EvaluationReading.Read(result, evaluator).Score);
        Assert.Same(template, evaluator.Template);
    }

    [Fact]
    public async Task A_template_that_asks_for_another_reply_format_gives_invalid_results()
    {
        // The reply is still read by the evaluator's parser: a template asking for a 1-10 score breaks Faithfulness.
        var judge = new ScriptedChatClient("8/10");
        var template = new JudgePromptTemplate("Judge.", "Rate 1-10 how well {passages} supports {response}.");

        var result = await new FaithfulnessEvaluator(judge, template: template).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Passages);

        var reading = EvaluationReading.Read(result, FaithfulnessEvaluator.MetricName);
        Assert.True(reading.Invalid);
        Assert.Contains("expected YES or NO", reading.InvalidReason);
    }

    [Fact]
    public void Without_a_template_an_evaluator_uses_its_default()
    {
        Assert.Same(FaithfulnessEvaluator.DefaultTemplate, new FaithfulnessEvaluator().Template);
        Assert.Same(RelevancyEvaluator.DefaultTemplate, new RelevancyEvaluator().Template);
        Assert.Same(CorrectnessEvaluator.DefaultTemplate, new CorrectnessEvaluator().Template);
        Assert.Same(GuidelineEvaluator.DefaultTemplate, new GuidelineEvaluator().Template);
        Assert.Same(AnswerRelevancyEvaluator.DefaultTemplate, new AnswerRelevancyEvaluator().Template);
        Assert.Same(ContextRelevancyEvaluator.DefaultTemplate, new ContextRelevancyEvaluator().Template);
        Assert.Same(PairwiseComparisonEvaluator.DefaultTemplate, new PairwiseComparisonEvaluator().Template);
        Assert.Contains("{response}", FaithfulnessEvaluator.DefaultTemplate.UserPrompt);
        Assert.Contains("{{\"passing\"", GuidelineEvaluator.DefaultTemplate.UserPrompt);
    }

    [Fact]
    public async Task A_default_template_edited_with_with_keeps_the_other_prompt()
    {
        var judge = new ScriptedChatClient("YES");
        var template = FaithfulnessEvaluator.DefaultTemplate with { SystemPrompt = "You are a fact checker." };

        await new FaithfulnessEvaluator(judge, template: template).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Passages);

        Assert.Equal("You are a fact checker.", judge.Requests[0].Messages[0].Text);
        Assert.Equal(LegacyJudgePrompts.Faithfulness("r", ["Paris is in France.", "Lyon too."]), judge.LastPrompt);
    }

    [Theory]
    [InlineData(null, "user")]
    [InlineData("", "user")]
    [InlineData("system", " \n")]
    public void A_template_needs_both_prompts(string? system, string user)
    {
        Assert.ThrowsAny<ArgumentException>(() => new JudgePromptTemplate(system!, user));
    }
}
