using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>
/// Reads a pairwise verdict: <c>[[A]]</c> (answer A is better), <c>[[B]]</c> (answer B is better) or <c>[[C]]</c>
/// (a tie), any case. The last tag in the reply counts; the reply without its tags is the feedback. The score is
/// in the frame of the prompt: 1 for A, 0 for B, 0.5 for a tie.
/// </summary>
internal static partial class PairwiseVerdictParser
{
    public static ParsedReply Parse(string reply)
    {
        if (reply.Trim().Length == 0)
        {
            return ParsedReply.Invalid("the reply is empty");
        }

        var matches = VerdictTag().Matches(reply);
        if (matches.Count == 0)
        {
            return ParsedReply.Invalid("expected [[A]], [[B]] or [[C]]");
        }

        var score = char.ToUpperInvariant(matches[^1].Groups["choice"].Value[0]) switch
        {
            'A' => 1.0,
            'B' => 0.0,
            _ => 0.5,
        };
        return ParsedReply.Valid(score, VerdictTag().Replace(reply, string.Empty));
    }

    [GeneratedRegex(@"\[\[\s*(?<choice>[ABC])\s*\]\]", RegexOptions.IgnoreCase)]
    private static partial Regex VerdictTag();
}
