namespace Sluice.Evaluation.Tests;

public sealed class PairwiseVerdictParserTests
{
    [Theory]
    [InlineData("A cites the source. [[A]]", 1.0, "A cites the source.")]
    [InlineData("B is more complete.\n[[B]]", 0.0, "B is more complete.")]
    [InlineData("Equally good. [[C]]", 0.5, "Equally good.")]
    [InlineData("  [[ b ]]  ", 0.0, null)]
    [InlineData("At first [[A]] seemed right, but finally [[B]]", 0.0, "At first  seemed right, but finally")]
    public void Reads_the_last_verdict_tag(string reply, double score, string? feedback)
    {
        var parsed = PairwiseVerdictParser.Parse(reply);

        Assert.True(parsed.IsValid, parsed.Problem);
        Assert.Equal(score, parsed.Score);
        Assert.Equal(feedback, parsed.Feedback);
    }

    [Theory]
    [InlineData("", "the reply is empty")]
    [InlineData("Answer A is better.", "expected [[A]], [[B]] or [[C]]")]
    [InlineData("Answer A is better. [[", "expected [[A]], [[B]] or [[C]]")]
    [InlineData("[[D]]", "expected [[A]], [[B]] or [[C]]")]
    public void Rejects_garbage_empty_and_truncated_replies(string reply, string problem)
    {
        var parsed = PairwiseVerdictParser.Parse(reply);

        Assert.False(parsed.IsValid);
        Assert.Equal(problem, parsed.Problem);
    }
}
