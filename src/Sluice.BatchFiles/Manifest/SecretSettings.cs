namespace Sluice.BatchFiles;

/// <summary>Recognises settings that must never be written: by their name's words, or by the look of the value.</summary>
internal static class SecretSettings
{
    private static readonly HashSet<string> SecretWords = ["apikey", "secret", "password", "passwd", "authorization", "bearer", "credential", "credentials"];
    private static readonly HashSet<string> SecretLastWords = ["key", "token"];

    public static bool LooksSecret(string name, string? value)
    {
        var words = SplitWords(name);
        if (words.Count > 0 && (SecretLastWords.Contains(words[^1]) || words.Any(SecretWords.Contains)))
        {
            return true;
        }

        return value is not null && (value.StartsWith("sk-", StringComparison.Ordinal) || value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Lower-case words: split at every non-letter-or-digit and before an upper-case letter that follows a lower-case one.</summary>
    private static List<string> SplitWords(string name)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (!char.IsLetterOrDigit(c) || (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1])))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }

            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
