using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>
/// Deterministic text-overlap scores of a candidate answer against a reference answer, each in [0, 1].
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ExactMatch"/> and <see cref="TokenF1"/> compare SQuAD-normalised answers (<see cref="NormalizeAnswer"/>).
/// <see cref="Bleu"/> and <see cref="RougeL"/> compare <see cref="Tokenize"/>d text: lower-cased, punctuation and
/// symbols removed, split on white space; articles are kept.
/// </para>
/// </remarks>
public static partial class TextMetrics
{
    /// <summary>The largest n-gram order BLEU counts.</summary>
    public const int BleuMaxOrder = 4;

    /// <summary>The ε of BLEU's smoothing (Chen &amp; Cherry 2014, method 1): an order with no matching n-gram counts ε matches instead of 0.</summary>
    public const double BleuSmoothingEpsilon = 0.1;

    /// <summary>The β of ROUGE-L's F-measure: 1, so precision and recall weigh the same (as Google's rouge-score package).</summary>
    public const double RougeLBeta = 1.0;

    /// <summary>
    /// SQuAD's answer normalisation: lower-case, remove punctuation and symbols, remove the articles a, an and the,
    /// and collapse white space to single spaces.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalised text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string NormalizeAnswer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var withoutArticles = Article().Replace(StripPunctuation(text.ToLowerInvariant()), " ");
        return string.Join(' ', withoutArticles.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The tokens BLEU and ROUGE-L compare: lower-cased, punctuation and symbols removed, split on white space.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return StripPunctuation(text.ToLowerInvariant()).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>1 when the SQuAD-normalised candidate equals the SQuAD-normalised reference, else 0.</summary>
    /// <param name="candidate">The answer being scored.</param>
    /// <param name="reference">The reference answer.</param>
    /// <returns>0 or 1.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static double ExactMatch(string candidate, string reference) =>
        NormalizeAnswer(candidate) == NormalizeAnswer(reference) ? 1.0 : 0.0;

    /// <summary>
    /// SQuAD's token F1: the harmonic mean of the precision and recall of the bag of normalised tokens. When either
    /// side has no tokens, 1 if both have none, else 0.
    /// </summary>
    /// <inheritdoc cref="ExactMatch" path="/param"/>
    /// <inheritdoc cref="ExactMatch" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double TokenF1(string candidate, string reference)
    {
        var candidateTokens = NormalizeAnswer(candidate).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var referenceTokens = NormalizeAnswer(reference).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (candidateTokens.Length == 0 || referenceTokens.Length == 0)
        {
            return candidateTokens.Length == referenceTokens.Length ? 1.0 : 0.0;
        }

        var common = ClippedMatches(Count(candidateTokens, 1), Count(referenceTokens, 1));
        if (common == 0)
        {
            return 0.0;
        }

        var precision = (double)common / candidateTokens.Length;
        var recall = (double)common / referenceTokens.Length;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>
    /// Sentence BLEU of one candidate against one reference, computed as corpus BLEU over that single pair:
    /// the geometric mean of the clipped n-gram precisions for n = 1…4 (uniform weights) times the brevity penalty
    /// exp(1 − r/c) when the candidate (c tokens) is not longer than the reference (r tokens).
    /// </summary>
    /// <remarks>
    /// An order with no matching n-gram is smoothed with Chen &amp; Cherry's method 1 (<see cref="BleuSmoothingEpsilon"/>
    /// matches); an order's denominator is at least 1 (a candidate shorter than n). As in NLTK, the score is 0 when no
    /// unigram matches or the candidate has no tokens.
    /// </remarks>
    /// <inheritdoc cref="ExactMatch" path="/param"/>
    /// <inheritdoc cref="ExactMatch" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double Bleu(string candidate, string reference)
    {
        var candidateTokens = Tokenize(candidate);
        var referenceTokens = Tokenize(reference);
        var c = candidateTokens.Length;
        var r = referenceTokens.Length;
        if (c == 0)
        {
            return 0.0;
        }

        var logSum = 0.0;
        for (var n = 1; n <= BleuMaxOrder; n++)
        {
            var matches = (double)ClippedMatches(Count(candidateTokens, n), Count(referenceTokens, n));
            if (n == 1 && matches == 0)
            {
                return 0.0;
            }

            var total = Math.Max(1, c - n + 1);
            var precision = matches == 0 ? BleuSmoothingEpsilon / total : matches / total;
            logSum += Math.Log(precision) / BleuMaxOrder;
        }

        var brevityPenalty = c > r ? 1.0 : Math.Exp(1 - ((double)r / c));
        return brevityPenalty * Math.Exp(logSum);
    }

    /// <summary>
    /// ROUGE-L: the F-measure (β = <see cref="RougeLBeta"/>) of precision LCS/c and recall LCS/r, where LCS is the
    /// length of the longest common token subsequence. 0 when either side has no tokens.
    /// </summary>
    /// <inheritdoc cref="ExactMatch" path="/param"/>
    /// <inheritdoc cref="ExactMatch" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double RougeL(string candidate, string reference)
    {
        var candidateTokens = Tokenize(candidate);
        var referenceTokens = Tokenize(reference);
        if (candidateTokens.Length == 0 || referenceTokens.Length == 0)
        {
            return 0.0;
        }

        var lcs = LongestCommonSubsequence(candidateTokens, referenceTokens);
        if (lcs == 0)
        {
            return 0.0;
        }

        var precision = (double)lcs / candidateTokens.Length;
        var recall = (double)lcs / referenceTokens.Length;
        const double betaSquared = RougeLBeta * RougeLBeta;
        return (1 + betaSquared) * precision * recall / (recall + (betaSquared * precision));
    }

    private static string StripPunctuation(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (!char.IsPunctuation(ch) && !char.IsSymbol(ch))
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }

    private static Dictionary<string, int> Count(string[] tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + n <= tokens.Length; i++)
        {
            var gram = string.Join('\u0001', tokens, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }

        return counts;
    }

    private static int ClippedMatches(Dictionary<string, int> candidate, Dictionary<string, int> reference)
    {
        var matches = 0;
        foreach (var (gram, count) in candidate)
        {
            matches += Math.Min(count, reference.GetValueOrDefault(gram));
        }

        return matches;
    }

    private static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"\b(a|an|the)\b")]
    private static partial Regex Article();
}
