namespace Sluice.Evaluation.Tests;

public sealed class GuidelineVerdictParserTests
{
    [Theory]
    [InlineData("{\"passing\": true, \"feedback\": \"Specific and complete.\"}", 1.0, "Specific and complete.")]
    [InlineData("{\"passing\": false, \"feedback\": \"Too vague.\"}", 0.0, "Too vague.")]
    [InlineData("```json\n{ \"Passing\" : false , \"FEEDBACK\": \"No numbers.\" }\n```", 0.0, "No numbers.")]
    [InlineData("Here is my verdict: {\"passing\": true} Thanks.", 1.0, null)]
    [InlineData("{\"passing\": true, \"feedback\": null}", 1.0, null)]
    public void Reads_a_json_verdict(string reply, double score, string? feedback)
    {
        var parsed = GuidelineVerdictParser.Parse(reply);

        Assert.True(parsed.IsValid, parsed.Problem);
        Assert.Equal(score, parsed.Score);
        Assert.Equal(feedback, parsed.Feedback);
    }

    [Theory]
    [InlineData("", "the reply is empty")]
    [InlineData("The response passes.", "expected a JSON object {\"passing\": …, \"feedback\": …}")]
    [InlineData("{\"passing\": true, \"feedback\": \"Specif", "expected a JSON object {\"passing\": …, \"feedback\": …}")]
    [InlineData("{\"passing\": true, \"feedback\": } }", "the reply is not valid JSON")]
    [InlineData("{\"passing\": \"yes\", \"feedback\": \"ok\"}", "\"passing\" is not a JSON boolean")]
    [InlineData("{\"feedback\": \"ok\"}", "the JSON object has no \"passing\" field")]
    [InlineData("{\"passing\": true, \"feedback\": 3}", "\"feedback\" is not a JSON string")]
    public void Rejects_garbage_empty_and_truncated_replies(string reply, string problem)
    {
        var parsed = GuidelineVerdictParser.Parse(reply);

        Assert.False(parsed.IsValid);
        Assert.Equal(problem, parsed.Problem);
    }
}
