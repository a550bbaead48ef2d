namespace Sluice.Evaluation.Tests;

public sealed class YesNoReplyParserTests
{
    [Theory]
    [InlineData("YES\nThe context states it.", 1.0, "The context states it.")]
    [InlineData("NO\nNothing in the context says so.", 0.0, "Nothing in the context says so.")]
    [InlineData("  yes.  The context agrees. ", 1.0, "The context agrees.")]
    [InlineData("\n\n**No** - unsupported", 0.0, "- unsupported")]
    [InlineData("\"Yes\"", 1.0, null)]
    [InlineData("Yes, because the passage names Paris.", 1.0, "because the passage names Paris.")]
    [InlineData("nO", 0.0, null)]
    public void Reads_yes_and_no_whatever_the_casing_and_whitespace(string reply, double score, string? feedback)
    {
        var parsed = YesNoReplyParser.Parse(reply);

        Assert.True(parsed.IsValid, parsed.Problem);
        Assert.Equal(score, parsed.Score);
        Assert.Equal(feedback, parsed.Feedback);
    }

    [Theory]
    [InlineData("", "the reply is empty")]
    [InlineData("   \n\t ", "the reply is empty")]
    [InlineData("Maybe, it is unclear.", "expected YES or NO at the start of the reply")]
    [InlineData("Yesterday the context said so.", "expected YES or NO at the start of the reply")]
    [InlineData("Y", "expected YES or NO at the start of the reply")]
    [InlineData("{\"answer\": \"yes\"}", "expected YES or NO at the start of the reply")]
    [InlineData("42", "expected YES or NO at the start of the reply")]
    public void Rejects_garbage_empty_and_truncated_replies(string reply, string problem)
    {
        var parsed = YesNoReplyParser.Parse(reply);

        Assert.False(parsed.IsValid);
        Assert.Equal(problem, parsed.Problem);
    }
}
