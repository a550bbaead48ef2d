namespace Sluice.Evaluation;

/// <summary>How a judge's reply is read (its parser) and what the parsed raw score is worth (value, normalised score, passing).</summary>
internal sealed class JudgeScale
{
    private JudgeScale(Func<string, ParsedReply> parse, Func<double, (double Value, double Normalised, bool? Passing)> score)
    {
        Parse = parse;
        Score = score;
    }

    /// <summary>A YES/NO verdict: YES scores 1 and passes, NO scores 0 and fails.</summary>
    public static JudgeScale YesNo { get; } = new(YesNoReplyParser.Parse, JudgeOutcome.Binary);

    /// <summary>A JSON <c>{"passing": bool, "feedback": string}</c> verdict: passing scores 1, failing 0.</summary>
    public static JudgeScale GuidelineVerdict { get; } = new(GuidelineVerdictParser.Parse, JudgeOutcome.Binary);

    /// <summary>Reads the reply into a raw score, or the problem that stopped it.</summary>
    public Func<string, ParsedReply> Parse { get; }

    /// <summary>Turns a parsed raw score into the metric's value, its normalised score in [0, 1] and its verdict.</summary>
    public Func<double, (double Value, double Normalised, bool? Passing)> Score { get; }

    /// <summary>A <c>[RESULT] n</c> score from 0 to <paramref name="maximum"/>; the value is n / <paramref name="maximum"/>.</summary>
    public static JudgeScale ResultTag(double maximum, double? passingThreshold) => new(
        reply => ResultTagReplyParser.Parse(reply, maximum),
        raw => UnitThreshold.Score(raw / maximum, passingThreshold));

    /// <summary>A score alone on the reply's first line, from <paramref name="minimum"/> to <paramref name="maximum"/>; the value is the score itself.</summary>
    public static JudgeScale ScoreFirstLine(double minimum, double maximum, double passingThreshold) => new(
        reply => ScoreFirstLineReplyParser.Parse(reply, minimum, maximum),
        raw => (raw, (raw - minimum) / (maximum - minimum), raw >= passingThreshold));
}
