namespace Sluice.Evaluation.Tests;

public sealed class ScoreFirstLineReplyParserTests
{
    [Theory]
    [InlineData("4.0\nCorrect but terse.", 4.0, "Correct but terse.")]
    [InlineData("5", 5.0, null)]
    [InlineData("  \n 3 \n  Relevant, one mistake.\nSecond line.  ", 3.0, "Relevant, one mistake.\nSecond line.")]
    [InlineData("Score: 2.5\nPartly wrong.", 2.5, "Partly wrong.")]
    [InlineData("SCORE 1\nOff topic.", 1.0, "Off topic.")]
    [InlineData("**4**\nGood.", 4.0, "Good.")]
    [InlineData("4/5\nGood.", 4.0, "Good.")]
    public void Reads_a_score_alone_on_the_first_line(string reply, double score, string? feedback)
    {
        var parsed = ScoreFirstLineReplyParser.Parse(reply, 1, 5);

        Assert.True(parsed.IsValid, parsed.Problem);
        Assert.Equal(score, parsed.Score);
        Assert.Equal(feedback, parsed.Feedback);
    }

    [Theory]
    [InlineData("", "the reply is empty")]
    [InlineData("The answer is good.\n4", "expected a score alone on the first line")]
    [InlineData("4 because it is correct", "expected a score alone on the first line")]
    [InlineData("4.", "expected a score alone on the first line")]
    [InlineData("Sco", "expected a score alone on the first line")]
    [InlineData("6\nExcellent.", "the score 6 is outside 1–5")]
    [InlineData("0\nWrong.", "the score 0 is outside 1–5")]
    [InlineData("-3", "the score -3 is outside 1–5")]
    public void Rejects_garbage_truncated_and_out_of_range_replies(string reply, string problem)
    {
        var parsed = ScoreFirstLineReplyParser.Parse(reply, 1, 5);

        Assert.False(parsed.IsValid);
        Assert.Equal(problem, parsed.Problem);
    }
}
