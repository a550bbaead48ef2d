using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>
/// Reads a reply that starts with YES or NO (any case, optionally wrapped in markdown or quotes, optionally
/// followed by punctuation) and explains after it. YES reads as 1, NO as 0; the rest of the reply is the feedback.
/// </summary>
internal static partial class YesNoReplyParser
{
    public static ParsedReply Parse(string reply)
    {
        var match = LeadingWord().Match(reply);
        if (!match.Success)
        {
            return ParsedReply.Invalid(reply.Trim().Length == 0 ? "the reply is empty" : "expected YES or NO at the start of the reply");
        }

        var word = match.Groups["word"].Value;
        double score;
        if (word.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            score = 1;
        }
        else if (word.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            score = 0;
        }
        else
        {
            return ParsedReply.Invalid("expected YES or NO at the start of the reply");
        }

        var rest = reply[(match.Index + match.Length)..].TrimStart('*', '"', '\'', '`', '.', '!', ':', ',', ';', ' ', '\t');
        return ParsedReply.Valid(score, rest);
    }

    [GeneratedRegex(@"^[\s\*""'`#>_\[\(]*(?<word>[A-Za-z]+)\b")]
    private static partial Regex LeadingWord();
}
