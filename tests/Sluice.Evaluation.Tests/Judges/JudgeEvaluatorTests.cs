using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

public sealed class JudgeEvaluatorTests
{
    private static readonly EvaluationContext[] Contexts = [new RetrievedPassagesContext(["Paris is the capital of France.", "France is in Europe."])];

    [Fact]
    public async Task Faithfulness_reads_yes_as_passing_and_sends_response_and_contexts()
    {
        var judge = new ScriptedChatClient("YES\nThe first passage says so.");
        var evaluator = new FaithfulnessEvaluator(judge);

        var result = await evaluator.EvaluateAsync(Inputs.Query("Capital of France?"), Inputs.Response("Paris."), additionalContext: Contexts);

        var reading = EvaluationReading.Read(result, FaithfulnessEvaluator.MetricName);
        Assert.Equal(new MetricReading(true, 1.0, "The first passage says so.", false, null), reading);
        Assert.Contains("Paris.", judge.LastPrompt);
        Assert.Contains("France is in Europe.", judge.LastPrompt);
        Assert.Equal(ChatRole.System, judge.Requests[0].Messages[0].Role);
        Assert.Contains("judge-model", result.Get<NumericMetric>(FaithfulnessEvaluator.MetricName).Metadata!.Values);
    }

    [Fact]
    public async Task Relevancy_reads_no_as_failing_and_sends_the_query()
    {
        var judge = new ScriptedChatClient("no - the response is about Spain");
        var evaluator = new RelevancyEvaluator(judge);

        var result = await evaluator.EvaluateAsync(Inputs.Query("Capital of France?"), Inputs.Response("Madrid."), additionalContext: Contexts);

        Assert.Equal(new MetricReading(false, 0.0, "- the response is about Spain", false, null), EvaluationReading.Read(result, evaluator));
        Assert.Contains("Capital of France?", judge.LastPrompt);
        Assert.Contains("Madrid.", judge.LastPrompt);
    }

    [Theory]
    [InlineData("5\nFully correct.", 4.0, true, 5.0)]
    [InlineData("4\nCorrect.", 4.0, true, 4.0)]
    [InlineData("3.5\nAlmost.", 4.0, false, 3.5)]
    [InlineData("3\nOne mistake.", 3.0, true, 3.0)]
    public async Task Correctness_passes_at_the_threshold(string reply, double threshold, bool passing, double score)
    {
        var judge = new ScriptedChatClient(reply);
        var evaluator = new CorrectnessEvaluator(judge, passingThreshold: threshold);

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: [new ReferenceAnswerContext("gold answer")]);

        var reading = EvaluationReading.Read(result, CorrectnessEvaluator.MetricName);
        Assert.Equal(passing, reading.Passing);
        Assert.Equal(score, reading.Score);
        Assert.Contains("gold answer", judge.LastPrompt);
    }

    [Fact]
    public async Task Correctness_without_a_reference_says_so_in_the_prompt()
    {
        var judge = new ScriptedChatClient("2\nWrong year.");

        await new CorrectnessEvaluator(judge).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));

        Assert.Contains("(no reference answer was supplied)", judge.LastPrompt);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(5.5)]
    [InlineData(double.NaN)]
    public void Correctness_rejects_a_threshold_outside_the_scale(double threshold)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CorrectnessEvaluator(new ScriptedChatClient(), passingThreshold: threshold));
        Assert.Equal("passingThreshold", error.ParamName);
    }

    [Fact]
    public async Task Guideline_reads_the_json_verdict_and_prefers_the_context_guidelines()
    {
        var judge = new ScriptedChatClient("{\"passing\": false, \"feedback\": \"No numbers given.\"}");
        var evaluator = new GuidelineEvaluator(judge, guidelines: "Be polite.");

        var result = await evaluator.EvaluateAsync(
            Inputs.Query("How tall is it?"), Inputs.Response("Quite tall."), additionalContext: [new GuidelinesContext("Use numbers.")]);

        Assert.Equal(new MetricReading(false, 0.0, "No numbers given.", false, null), EvaluationReading.Read(result, evaluator));
        Assert.Contains("Use numbers.", judge.LastPrompt);
        Assert.DoesNotContain("Be polite.", judge.LastPrompt);
    }

    [Fact]
    public async Task Guideline_uses_constructor_guidelines_or_the_default()
    {
        var judge = new ScriptedChatClient("{\"passing\": true, \"feedback\": \"ok\"}", "{\"passing\": true, \"feedback\": \"ok\"}");

        await new GuidelineEvaluator(judge, guidelines: "Be polite.").EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));
        Assert.Contains("Be polite.", judge.LastPrompt);

        await new GuidelineEvaluator(judge).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));
        Assert.Contains(GuidelineEvaluator.DefaultGuidelines, judge.LastPrompt);
    }

    [Theory]
    [InlineData("[RESULT] 2", 1.0)]
    [InlineData("Half.\n[RESULT] 1", 0.5)]
    [InlineData("[RESULT] 0", 0.0)]
    public async Task AnswerRelevancy_normalises_0_to_2_and_has_no_verdict_by_default(string reply, double score)
    {
        var evaluator = new AnswerRelevancyEvaluator(new ScriptedChatClient(reply));

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));

        var reading = EvaluationReading.Read(result, AnswerRelevancyEvaluator.MetricName);
        Assert.Equal(score, reading.Score);
        Assert.Null(reading.Passing);
        Assert.False(reading.Invalid);
    }

    [Fact]
    public async Task AnswerRelevancy_passes_at_a_given_threshold()
    {
        var evaluator = new AnswerRelevancyEvaluator(new ScriptedChatClient("[RESULT] 1", "[RESULT] 1.5"), passingThreshold: 0.75);

        var low = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));
        var high = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));

        Assert.False(EvaluationReading.Read(low, evaluator).Passing);
        Assert.True(EvaluationReading.Read(high, evaluator).Passing);
    }

    [Theory]
    [InlineData("[RESULT] 4", 1.0)]
    [InlineData("Matches, but incomplete.\n[RESULT] 3", 0.75)]
    [InlineData("[RESULT] 0.5", 0.125)]
    public async Task ContextRelevancy_normalises_0_to_4(string reply, double score)
    {
        var judge = new ScriptedChatClient(reply);
        var evaluator = new ContextRelevancyEvaluator(judge);

        var result = await evaluator.EvaluateAsync(Inputs.Query("Capital of France?"), Inputs.Response("unused"), additionalContext: Contexts);

        Assert.Equal(score, EvaluationReading.Read(result, evaluator).Score);
        Assert.Contains("Paris is the capital of France.", judge.LastPrompt);
        Assert.DoesNotContain("unused", judge.LastPrompt);
    }

    public static TheoryData<string, string> UnparseableReplies => new()
    {
        { "faithfulness", "" },
        { "faithfulness", "Perhaps." },
        { "relevancy", "Ye" },
        { "correctness", "Correct!\n5" },
        { "correctness", "7\nSuperb." },
        { "guideline", "{\"passing\": tr" },
        { "answer", "[RESULT] 3" },
        { "answer", "The answer is relevant" },
        { "context", "[RESULT] 5" },
        { "context", "   " },
    };

    [Theory]
    [MemberData(nameof(UnparseableReplies))]
    public async Task An_unparseable_reply_is_an_invalid_result_quoting_it_never_an_exception(string which, string reply)
    {
        var evaluator = Create(which, new ScriptedChatClient(reply));

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Contexts);

        var metric = result.Get<NumericMetric>(evaluator.EvaluationMetricNames.First());
        Assert.Null(metric.Value);
        var error = Assert.Single(metric.Diagnostics!);
        Assert.Equal(EvaluationDiagnosticSeverity.Error, error.Severity);
        Assert.StartsWith("The judge's reply could not be parsed: ", error.Message);
        Assert.EndsWith($"Reply: \"{reply}\"", error.Message);
        var reading = EvaluationReading.Read(result, evaluator);
        Assert.True(reading.Invalid);
        Assert.Null(reading.Passing);
        Assert.Null(reading.Score);
        Assert.Equal(error.Message, reading.InvalidReason);
    }

    [Fact]
    public async Task A_long_unparseable_reply_is_quoted_up_to_200_characters()
    {
        var reply = new string('x', 500);
        var evaluator = new FaithfulnessEvaluator(new ScriptedChatClient(reply));

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Contexts);

        var reason = EvaluationReading.Read(result, evaluator).InvalidReason!;
        Assert.EndsWith("Reply: \"" + new string('x', 200) + "…\"", reason);
    }

    [Theory]
    [InlineData("faithfulness")]
    [InlineData("relevancy")]
    [InlineData("correctness")]
    [InlineData("guideline")]
    [InlineData("answer")]
    [InlineData("context")]
    [InlineData("pairwise")]
    public async Task Every_judge_call_is_sent_with_temperature_0_and_the_seed(string which)
    {
        var judge = new ScriptedChatClient("YES", "YES");
        var evaluator = Create(which, judge, new JudgeOptions { Seed = 1234, ModelId = "judge", MaxOutputTokens = 300 });

        await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: [.. Contexts, new SecondResponseContext("r2")]);

        Assert.NotEmpty(judge.Requests);
        Assert.All(judge.Requests, request =>
        {
            Assert.Equal(0f, request.Options!.Temperature);
            Assert.Equal(1234L, request.Options.Seed);
            Assert.Equal("judge", request.Options.ModelId);
            Assert.Equal(300, request.Options.MaxOutputTokens);
        });
    }

    [Fact]
    public async Task The_default_seed_is_sent_when_no_options_are_given()
    {
        var judge = new ScriptedChatClient("YES");

        await new FaithfulnessEvaluator(judge).EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Contexts);

        Assert.Equal(JudgeOptions.DefaultSeed, judge.Requests[0].Options!.Seed);
        Assert.Equal(0f, judge.Requests[0].Options!.Temperature);
    }

    [Fact]
    public void JudgeOptions_rejects_a_non_positive_token_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JudgeOptions { MaxOutputTokens = 0 });
    }

    [Fact]
    public async Task A_chat_configuration_takes_precedence_over_the_constructor_client()
    {
        var constructorClient = new ScriptedChatClient("NO");
        var configured = new ScriptedChatClient("YES");
        var evaluator = new FaithfulnessEvaluator(constructorClient);

        var result = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), new ChatConfiguration(configured), Contexts);

        Assert.Equal(1.0, EvaluationReading.Read(result, evaluator).Score);
        Assert.Empty(constructorClient.Requests);
        Assert.Single(configured.Requests);
    }

    [Fact]
    public async Task Without_any_chat_client_the_evaluator_throws_naming_itself()
    {
        var evaluator = new RelevancyEvaluator();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: Contexts).AsTask());
        Assert.Contains(nameof(RelevancyEvaluator), error.Message);
    }

    [Fact]
    public async Task Exceptions_from_the_chat_client_propagate()
    {
        var evaluator = new CorrectnessEvaluator(ScriptedChatClient.Throwing(new HttpRequestException("503 Service Unavailable")));

        await Assert.ThrowsAsync<HttpRequestException>(() => evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r")).AsTask());
    }

    [Theory]
    [InlineData("faithfulness", "RetrievedPassagesContext")]
    [InlineData("relevancy", "RetrievedPassagesContext")]
    [InlineData("context", "RetrievedPassagesContext")]
    public async Task Missing_contexts_give_an_invalid_result_without_calling_the_judge(string which, string input)
    {
        var judge = new ScriptedChatClient();
        var evaluator = Create(which, judge);

        var withNone = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"));
        var withEmpty = await evaluator.EvaluateAsync(Inputs.Query("q"), Inputs.Response("r"), additionalContext: [new RetrievedPassagesContext([])]);

        Assert.Contains(input, EvaluationReading.Read(withNone, evaluator).InvalidReason);
        Assert.True(EvaluationReading.Read(withEmpty, evaluator).Invalid);
        Assert.Empty(judge.Requests);
    }

    [Theory]
    [InlineData("relevancy")]
    [InlineData("correctness")]
    [InlineData("guideline")]
    [InlineData("answer")]
    [InlineData("context")]
    [InlineData("pairwise")]
    public async Task A_missing_query_gives_an_invalid_result_without_calling_the_judge(string which)
    {
        var judge = new ScriptedChatClient();
        var evaluator = Create(which, judge);

        var result = await evaluator.EvaluateAsync(
            [new ChatMessage(ChatRole.System, "system only")], Inputs.Response("r"), additionalContext: [.. Contexts, new SecondResponseContext("r2")]);

        var reading = EvaluationReading.Read(result, evaluator);
        Assert.True(reading.Invalid);
        Assert.Contains("a query", reading.InvalidReason);
        Assert.Empty(judge.Requests);
    }

    [Fact]
    public async Task The_query_is_the_last_user_message()
    {
        var judge = new ScriptedChatClient("[RESULT] 2");
        ChatMessage[] conversation = [new(ChatRole.User, "first question"), new(ChatRole.Assistant, "answer"), new(ChatRole.User, "follow-up question")];

        await new AnswerRelevancyEvaluator(judge).EvaluateAsync(conversation, Inputs.Response("r"));

        Assert.Contains("follow-up question", judge.LastPrompt);
        Assert.DoesNotContain("first question", judge.LastPrompt);
    }

    private static IEvaluator Create(string which, IChatClient judge, JudgeOptions? options = null) => which switch
    {
        "faithfulness" => new FaithfulnessEvaluator(judge, options),
        "relevancy" => new RelevancyEvaluator(judge, options),
        "correctness" => new CorrectnessEvaluator(judge, options),
        "guideline" => new GuidelineEvaluator(judge, options: options),
        "answer" => new AnswerRelevancyEvaluator(judge, options),
        "context" => new ContextRelevancyEvaluator(judge, options),
        "pairwise" => new PairwiseComparisonEvaluator(judge, options),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };
}
