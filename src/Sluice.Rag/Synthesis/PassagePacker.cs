using System.Text;

namespace Sluice.Rag;

/// <summary>
/// Fits passages into prompts of at most a given number of tokens: <see cref="Pack"/> joins consecutive passages
/// into as few blocks as fit (LlamaIndex's <c>repack</c>); <see cref="Split"/> only cuts passages that alone are too
/// long. A long passage is cut at whitespace, never mid-word unless a single word is longer than the capacity.
/// </summary>
internal static class PassagePacker
{
    public static List<string> Pack(IReadOnlyList<string> passages, int capacity, string separator, Func<string, int> countTokens)
    {
        var blocks = new List<string>();
        var current = new StringBuilder();
        int currentTokens = 0;
        int separatorTokens = countTokens(separator);
        foreach (string piece in Split(passages, capacity, countTokens))
        {
            int tokens = countTokens(piece);
            if (current.Length > 0 && currentTokens + separatorTokens + tokens > capacity)
            {
                blocks.Add(current.ToString());
                current.Clear();
                currentTokens = 0;
            }

            if (current.Length > 0)
            {
                current.Append(separator);
                currentTokens += separatorTokens;
            }

            current.Append(piece);
            currentTokens += tokens;
        }

        if (current.Length > 0)
        {
            blocks.Add(current.ToString());
        }

        return blocks;
    }

    public static List<string> Split(IReadOnlyList<string> passages, int capacity, Func<string, int> countTokens)
    {
        var pieces = new List<string>(passages.Count);
        foreach (string passage in passages)
        {
            string rest = passage.Trim();
            while (rest.Length > 0)
            {
                int tokens = countTokens(rest);
                if (tokens <= capacity)
                {
                    pieces.Add(rest);
                    break;
                }

                // Aim at the share of characters that should hold `capacity` tokens, then shrink until it fits.
                int length = Math.Max(1, (int)((long)rest.Length * capacity / tokens * 9 / 10));
                string head = Cut(rest, length);
                while (head.Length > 1 && countTokens(head) > capacity)
                {
                    head = Cut(rest, head.Length * 4 / 5);
                }

                pieces.Add(head.TrimEnd());
                rest = rest[head.Length..].TrimStart();
            }
        }

        return pieces;
    }

    /// <summary>The first at most <paramref name="length"/> characters of <paramref name="text"/>, ending at whitespace
    /// when there is any in the second half of that span.</summary>
    private static string Cut(string text, int length)
    {
        length = Math.Clamp(length, 1, text.Length);
        if (length < text.Length && char.IsLowSurrogate(text[length]))
        {
            length = Math.Max(1, length - 1);
        }

        for (int i = length; i > length / 2; i--)
        {
            if (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                return text[..i];
            }
        }

        return text[..length];
    }
}
