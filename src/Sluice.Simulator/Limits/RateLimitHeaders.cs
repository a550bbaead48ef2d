using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Sluice.Simulator.Limits;

/// <summary>Writes OpenAI's <c>x-ratelimit-*</c>, <c>Retry-After</c> and <c>retry-after-ms</c> headers.</summary>
internal static class RateLimitHeaders
{
    public static void Write(IHeaderDictionary headers, in RateDecision decision)
    {
        if (decision.Requests is { } r)
        {
            headers["x-ratelimit-limit-requests"] = r.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = r.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = FormatDuration(r.ResetSeconds);
        }
        if (decision.Tokens is { } t)
        {
            headers["x-ratelimit-limit-tokens"] = t.Limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = t.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = FormatDuration(t.ResetSeconds);
        }
        if (!decision.Admitted)
        {
            double seconds = Math.Max(decision.RetryAfterSeconds, 0.001);
            headers["Retry-After"] = ((long)Math.Ceiling(seconds - 1e-9)).ToString(CultureInfo.InvariantCulture);
            headers["retry-after-ms"] = ((long)Math.Ceiling(seconds * 1000 - 1e-6)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Formats like OpenAI: <c>120ms</c>, <c>1s</c>, <c>2.5s</c>, <c>6m0s</c>.</summary>
    public static string FormatDuration(double seconds)
    {
        if (seconds < 1)
            return ((long)Math.Ceiling(seconds * 1000 - 1e-6)).ToString(CultureInfo.InvariantCulture) + "ms";
        if (seconds < 60)
            return Math.Round(seconds, 3).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        long minutes = (long)(seconds / 60);
        double rest = Math.Round(seconds - minutes * 60, 3);
        return minutes.ToString(CultureInfo.InvariantCulture) + "m" + rest.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
