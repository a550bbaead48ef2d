namespace Sluice.Evaluation.Tests;

/// <summary>A custom template is checked when the evaluator is constructed; errors name the evaluator, the placeholder and where it is.</summary>
public sealed class JudgePromptTemplateValidationTests
{
    [Theory]
    [InlineData(null, "user", "systemPrompt")]
    [InlineData("system", "", "userPrompt")]
    [InlineData("system", "  ", "userPrompt")]
    public void An_empty_prompt_is_refused_naming_the_constructor_parameter(string? system, string user, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new JudgePromptTemplate(system!, user));
        Assert.Equal(parameter, error.ParamName);

        var edited = Assert.ThrowsAny<ArgumentException>(() => FaithfulnessEvaluator.DefaultTemplate with { UserPrompt = " " });
        Assert.Equal(nameof(JudgePromptTemplate.UserPrompt), edited.ParamName);
    }

    [Fact]
    public void An_unknown_placeholder_is_named_with_its_line_and_column()
    {
        var template = new JudgePromptTemplate("System.", "Response: {response}\nSources: {passages}\n    {question}");

        var error = Assert.Throws<ArgumentException>(() => new FaithfulnessEvaluator(template: template));

        Assert.Equal("template", error.ParamName);
        Assert.StartsWith(
            "FaithfulnessEvaluator's prompt template has an unknown placeholder {question} in its UserPrompt at line 3, column 5; "
            + "its placeholders are {response} and {passages} (write {{ and }} for literal braces).",
            error.Message);
    }

    [Fact]
    public void A_placeholder_of_another_evaluator_is_unknown()
    {
        var template = new JudgePromptTemplate("System.", "{query} {response} {passages}");

        var error = Assert.Throws<ArgumentException>(() => new FaithfulnessEvaluator(template: template));

        Assert.Contains("unknown placeholder {query} in its UserPrompt at line 1, column 1", error.Message);
    }

    [Fact]
    public void Placeholder_names_are_case_sensitive()
    {
        var template = new JudgePromptTemplate("System.", "{Query} {response}");

        var error = Assert.Throws<ArgumentException>(() => new AnswerRelevancyEvaluator(template: template));

        Assert.Contains("AnswerRelevancyEvaluator's prompt template has an unknown placeholder {Query} in its UserPrompt at line 1, column 1", error.Message);
        Assert.Contains("its placeholders are {query} and {response}", error.Message);
    }

    [Fact]
    public void A_missing_required_placeholder_is_named()
    {
        var template = new JudgePromptTemplate("System.", "Is this supported?\n{passages}");

        var error = Assert.Throws<ArgumentException>(() => new FaithfulnessEvaluator(template: template));

        Assert.Equal("template", error.ParamName);
        Assert.StartsWith(
            "FaithfulnessEvaluator's prompt template does not use the required placeholder {response}; "
            + "its system or user prompt must contain {response} and {passages}.",
            error.Message);
    }

    [Fact]
    public void A_required_placeholder_may_be_in_the_system_prompt()
    {
        var evaluator = new FaithfulnessEvaluator(template: new("Context: {passages}", "Claim: {response}"));

        Assert.Equal("Context: {passages}", evaluator.Template.SystemPrompt);
    }

    [Theory]
    [InlineData("{query} {response} {guidelines} {", 1, 33)]
    [InlineData("{query} {response}\n{guidelines}\nReply {\"passing\": true}", 3, 7)]
    [InlineData("{query} {response} {guidelines\n}", 1, 20)]
    [InlineData("{ query } {response} {guidelines}", 1, 1)]
    [InlineData("{} {query} {response} {guidelines}", 1, 1)]
    [InlineData("{query} {response} {{guidelines}", 1, 32)]
    public void An_unbalanced_brace_is_located(string user, int line, int column)
    {
        var error = Assert.Throws<ArgumentException>(() => new GuidelineEvaluator(template: new("System.", user)));

        Assert.Contains($"GuidelineEvaluator's prompt template has a", error.Message);
        Assert.Contains($"in its UserPrompt at line {line}, column {column}", error.Message);
        Assert.Equal("template", error.ParamName);
    }

    [Fact]
    public void An_unclosed_brace_says_how_to_write_a_literal_one()
    {
        var error = Assert.Throws<ArgumentException>(() => new GuidelineEvaluator(template: new("System.", "{query} {response} {guidelines} {")));

        Assert.StartsWith(
            "GuidelineEvaluator's prompt template has a '{' that opens no placeholder in its UserPrompt at line 1, column 33: "
            + "expected a name such as {query} and a closing '}'; write {{ for a literal brace.",
            error.Message);
    }

    [Theory]
    [InlineData("{query}} {answer_a} {answer_b}", 1, 8)]
    [InlineData("{query} {answer_a} {answer_b}\n}", 2, 1)]
    public void A_closing_brace_that_closes_nothing_is_located(string user, int line, int column)
    {
        var error = Assert.Throws<ArgumentException>(() => new PairwiseComparisonEvaluator(template: new("System.", user)));

        Assert.StartsWith(
            $"PairwiseComparisonEvaluator's prompt template has a '}}' that closes no placeholder in its UserPrompt at line {line}, column {column}; "
            + "write }} for a literal brace.",
            error.Message);
    }

    [Fact]
    public void An_error_in_the_system_prompt_names_the_system_prompt()
    {
        var template = new JudgePromptTemplate("Judge.\nReply as {verdict}.", "{query} {passages}");

        var error = Assert.Throws<ArgumentException>(() => new ContextRelevancyEvaluator(template: template));

        Assert.Contains("ContextRelevancyEvaluator's prompt template has an unknown placeholder {verdict} in its SystemPrompt at line 2, column 10", error.Message);
    }

    [Fact]
    public void Optional_placeholders_are_allowed_only_where_the_evaluator_has_them()
    {
        _ = new CorrectnessEvaluator(template: new("S", "{query} {response} {reference}"));
        _ = new PairwiseComparisonEvaluator(template: new("S", "{query} {answer_a} {answer_b} {reference}"));

        var error = Assert.Throws<ArgumentException>(() => new AnswerRelevancyEvaluator(template: new("S", "{query} {response} {reference}")));
        Assert.Contains("unknown placeholder {reference}", error.Message);
    }

    [Fact]
    public void Pairwise_uses_answer_a_and_answer_b_not_response()
    {
        var error = Assert.Throws<ArgumentException>(() => new PairwiseComparisonEvaluator(template: new("S", "{query} {response} {second_response}")));

        Assert.Contains("unknown placeholder {response}", error.Message);
        Assert.Contains("its placeholders are {query}, {answer_a}, {answer_b} and {reference}", error.Message);
    }

    [Fact]
    public void Every_required_placeholder_of_each_evaluator_is_enforced()
    {
        AssertMissing("response", () => new RelevancyEvaluator(template: new("S", "{query} {passages}")));
        AssertMissing("passages", () => new RelevancyEvaluator(template: new("S", "{query} {response}")));
        AssertMissing("query", () => new CorrectnessEvaluator(template: new("S", "{response} {reference}")));
        AssertMissing("guidelines", () => new GuidelineEvaluator(template: new("S", "{query} {response}")));
        AssertMissing("response", () => new AnswerRelevancyEvaluator(template: new("S", "{query}")));
        AssertMissing("passages", () => new ContextRelevancyEvaluator(template: new("S", "{query}")));
        AssertMissing("answer_b", () => new PairwiseComparisonEvaluator(template: new("S", "{query} {answer_a} {reference}")));
    }

    private static void AssertMissing(string placeholder, Action construct)
    {
        var error = Assert.Throws<ArgumentException>(construct);
        Assert.Contains($"does not use the required placeholder {{{placeholder}}}", error.Message);
    }
}
