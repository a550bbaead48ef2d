namespace Sluice.LocalEmbeddings;

/// <summary>
/// Removes accents from Latin letters the way the uncased BERT tokenizer does (NFD, then drop the combining marks),
/// without ICU: Sluice apps run with invariant globalization, where <see cref="string.Normalize()"/> leaves
/// <c>é</c> unchanged and the word would become <c>[UNK]</c>. Covers Latin-1 and Latin Extended-A, the letters with a
/// canonical decomposition; others (æ, ø, ß, þ, ð and non-Latin scripts) pass through unchanged, as in BERT.
/// </summary>
internal static class AccentFolding
{
    private const char Keep = '\0';

    // U+00C0 … U+00FF: the base letter, or Keep when the character has no canonical decomposition.
    private const string Latin1 =
        "AAAAAA\0CEEEEIIII\0NOOOOO\0\0UUUUY\0\0" +
        "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";

    // U+0100 … U+017F (Latin Extended-A).
    private const string ExtendedA =
        "AaAaAaCcCcCcCcDd\0\0EeEeEeEeEeGgGgGgGgHh\0\0IiIiIiIiI\0\0\0JjKk\0LlLlLl\0\0\0\0NnNnNn\0\0\0OoOoOo\0\0RrRrRrSsSsSsSsTtTt\0\0UuUuUuUuUuUuWwYyYZzZzZz\0";

    public static string Fold(string text)
    {
        int first = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (Base(text[i]) != Keep)
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        return string.Create(text.Length, (text, first), static (span, state) =>
        {
            state.text.AsSpan().CopyTo(span);
            for (int i = state.first; i < span.Length; i++)
            {
                char folded = Base(span[i]);
                if (folded != Keep)
                {
                    span[i] = folded;
                }
            }
        });
    }

    private static char Base(char c) => c switch
    {
        < '\u00C0' => Keep,
        <= '\u00FF' => Latin1[c - '\u00C0'],
        <= '\u017F' => ExtendedA[c - '\u0100'],
        _ => Keep,
    };
}
