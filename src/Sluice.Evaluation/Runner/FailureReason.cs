using System.Text.RegularExpressions;

namespace Sluice.Evaluation;

/// <summary>Describes a failed call for <see cref="EvalOutcome.InvalidReason"/>: exception type and message, secrets removed.</summary>
internal static partial class FailureReason
{
    public static string Describe(string what, Exception error, int attempts)
    {
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        return $"The {what} failed after {tries}: {error.GetType().Name}: {Redact(error.Message)}";
    }

    /// <summary>Removes API keys and bearer tokens a message may quote.</summary>
    public static string Redact(string message) => Secrets().Replace(message, "[redacted]");

    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-]{6,})|((?i:bearer)\s+[A-Za-z0-9_\-\.=]+)|((?i:api[_-]?key)[""']?\s*[:=]\s*[""']?[^\s""'&,;]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Secrets();
}
