using System.Text.RegularExpressions;
using Sluice.BatchFiles;

namespace Sluice.Reporting;

/// <summary>Keeps secrets out of reports: every text read from a run directory passes through <see cref="Clean"/>
/// before it reaches a report, and manifest settings that look secret are left out.</summary>
internal static partial class Redaction
{
    public const string Mark = "[redacted]";

    /// <summary>Whether a manifest setting must not be shown (the manifest's own rule: its name's words or the look of
    /// its value).</summary>
    public static bool IsSecretSetting(string name, string? value) => SecretSettings.LooksSecret(name, value);

    /// <summary>The text with anything shaped like a key replaced: <c>sk-…</c>-style keys, <c>Bearer …</c> tokens,
    /// and the values of <c>api_key=</c>, <c>token:</c>, <c>password=</c>… pairs.</summary>
    public static string Clean(string text)
    {
        text = KeyLike().Replace(text, Mark);
        text = Bearer().Replace(text, "Bearer " + Mark);
        return Pair().Replace(text, m => m.Groups[1].Value + m.Groups[2].Value + Mark);
    }

    /// <summary>The text cleaned and cut to <paramref name="limit"/> characters (an ellipsis marks the cut).</summary>
    public static string Shorten(string text, int limit = 200)
    {
        text = Clean(text);
        return text.Length <= limit ? text : text[..limit] + "…";
    }

    [GeneratedRegex(@"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]+")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?i)\b(api[_\-]?key|access[_\-]?token|token|secret|password|authorization)(""?\s*[:=]\s*""?)(?!(?i:bearer)\b|\[redacted\])[^\s""'&,;}]+")]
    private static partial Regex Pair();
}
