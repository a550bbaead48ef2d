using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.AI;

/// <summary>
/// What a provider said about its limits in the <c>x-ratelimit-*</c> headers of one response
/// (OpenAI's names; reset values in its duration format such as <c>1s</c>, <c>6m0s</c>, <c>120ms</c>).
/// </summary>
/// <param name="LimitRequests">x-ratelimit-limit-requests.</param>
/// <param name="RemainingRequests">x-ratelimit-remaining-requests.</param>
/// <param name="ResetRequests">x-ratelimit-reset-requests.</param>
/// <param name="LimitTokens">x-ratelimit-limit-tokens.</param>
/// <param name="RemainingTokens">x-ratelimit-remaining-tokens.</param>
/// <param name="ResetTokens">x-ratelimit-reset-tokens.</param>
public sealed partial record RateLimitHeaders(
    int? LimitRequests,
    long? RemainingRequests,
    TimeSpan? ResetRequests,
    int? LimitTokens,
    long? RemainingTokens,
    TimeSpan? ResetTokens)
{
    /// <summary>Reads the headers through <paramref name="lookup"/> (header name → value, or null when absent).</summary>
    /// <param name="lookup">Looks up one header by name.</param>
    /// <returns>The parsed values; <see langword="null"/> when no rate-limit header was present.</returns>
    public static RateLimitHeaders? Parse(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var headers = new RateLimitHeaders(
            Int(lookup("x-ratelimit-limit-requests")),
            Long(lookup("x-ratelimit-remaining-requests")),
            Duration(lookup("x-ratelimit-reset-requests")),
            Int(lookup("x-ratelimit-limit-tokens")),
            Long(lookup("x-ratelimit-remaining-tokens")),
            Duration(lookup("x-ratelimit-reset-tokens")));
        return headers == Empty ? null : headers;
    }

    private static readonly RateLimitHeaders Empty = new(null, null, null, null, null, null);

    private static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n : null;

    private static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= 0 ? n : null;

    /// <summary>Parses OpenAI's durations (<c>1h2m3.5s</c>, <c>20ms</c>) and plain seconds.</summary>
    internal static TimeSpan? Duration(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain))
        {
            return plain >= 0 ? TimeSpan.FromSeconds(plain) : null;
        }

        var parts = DurationPart().Matches(value.Trim());
        if (parts.Count == 0 || parts.Sum(p => p.Length) != value.Trim().Length)
        {
            return null;
        }

        double ms = 0;
        foreach (Match part in parts)
        {
            double n = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            ms += part.Groups[2].Value switch
            {
                "h" => n * 3_600_000,
                "m" => n * 60_000,
                "s" => n * 1000,
                "ms" => n,
                _ => 0,
            };
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s)")]
    private static partial Regex DurationPart();
}
