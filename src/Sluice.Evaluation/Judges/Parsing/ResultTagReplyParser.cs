using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>
/// Reads LlamaIndex's relevancy-scoring format: feedback, then <c>[RESULT] n</c>. The last <c>[RESULT]</c> tag
/// counts; the text before it is the feedback.
/// </summary>
internal static partial class ResultTagReplyParser
{
    public static ParsedReply Parse(string reply, double maximum)
    {
        if (reply.Trim().Length == 0)
        {
            return ParsedReply.Invalid("the reply is empty");
        }

        var matches = ResultTag().Matches(reply);
        if (matches.Count == 0)
        {
            return ParsedReply.Invalid("expected \"[RESULT] <score>\"");
        }

        var last = matches[^1];
        var score = double.Parse(last.Groups["score"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (score < 0 || score > maximum)
        {
            return ParsedReply.Invalid(string.Create(CultureInfo.InvariantCulture, $"the score {score} is outside 0–{maximum}"));
        }

        return ParsedReply.Valid(score, reply[..last.Index]);
    }

    [GeneratedRegex(@"\[RESULT\]\s*:?\s*(?<score>[+-]?\d+(?:\.\d+)?)(?![\d.]*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex ResultTag();
}
