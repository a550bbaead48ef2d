using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>
/// Reads LlamaIndex's correctness format: a number alone on the first non-empty line (optionally written as
/// <c>Score: 4</c>, <c>4/5</c> or in bold), the reasoning on the lines after it.
/// </summary>
internal static partial class ScoreFirstLineReplyParser
{
    public static ParsedReply Parse(string reply, double minimum, double maximum)
    {
        var trimmed = reply.Trim();
        if (trimmed.Length == 0)
        {
            return ParsedReply.Invalid("the reply is empty");
        }

        var newline = trimmed.IndexOf('\n');
        var firstLine = newline < 0 ? trimmed : trimmed[..newline];
        var rest = newline < 0 ? string.Empty : trimmed[(newline + 1)..];

        var match = ScoreLine().Match(firstLine);
        if (!match.Success)
        {
            return ParsedReply.Invalid("expected a score alone on the first line");
        }

        var score = double.Parse(match.Groups["score"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (score < minimum || score > maximum)
        {
            return ParsedReply.Invalid(string.Create(CultureInfo.InvariantCulture, $"the score {score} is outside {minimum}–{maximum}"));
        }

        return ParsedReply.Valid(score, rest);
    }

    [GeneratedRegex(@"^\s*[\*_]*\s*(?:score\s*[:=]?\s*)?(?<score>[+-]?\d+(?:\.\d+)?)\s*(?:/\s*\d+)?\s*[\*_]*\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ScoreLine();
}
