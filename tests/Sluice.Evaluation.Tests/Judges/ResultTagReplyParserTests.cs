namespace Sluice.Evaluation.Tests;

public sealed class ResultTagReplyParserTests
{
    [Theory]
    [InlineData("Matches the subject. Addresses the focus.\n[RESULT] 2", 2.0, "Matches the subject. Addresses the focus.")]
    [InlineData("Partly.\n[result]: 1.5", 1.5, "Partly.")]
    [InlineData("[RESULT] 0", 0.0, null)]
    [InlineData("Draft [RESULT] 1\nOn reflection:\n[RESULT] 2  ", 2.0, "Draft [RESULT] 1\nOn reflection:")]
    [InlineData("Fine. [RESULT] 2.", 2.0, "Fine.")]
    public void Reads_the_last_result_tag(string reply, double score, string? feedback)
    {
        var parsed = ResultTagReplyParser.Parse(reply, 2);

        Assert.True(parsed.IsValid, parsed.Problem);
        Assert.Equal(score, parsed.Score);
        Assert.Equal(feedback, parsed.Feedback);
    }

    [Theory]
    [InlineData("", 2, "the reply is empty")]
    [InlineData("The response is relevant. Score: 2", 2, "expected \"[RESULT] <score>\"")]
    [InlineData("The response is relevant.\n[RESULT]", 2, "expected \"[RESULT] <score>\"")]
    [InlineData("[RESULT] 3", 2, "the score 3 is outside 0–2")]
    [InlineData("[RESULT] 12", 4, "the score 12 is outside 0–4")]
    [InlineData("[RESULT] -1", 4, "the score -1 is outside 0–4")]
    public void Rejects_garbage_truncated_and_out_of_range_replies(string reply, double maximum, string problem)
    {
        var parsed = ResultTagReplyParser.Parse(reply, maximum);

        Assert.False(parsed.IsValid);
        Assert.Equal(problem, parsed.Problem);
    }
}
