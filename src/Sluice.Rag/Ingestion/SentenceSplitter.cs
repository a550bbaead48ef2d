namespace Sluice.Rag;

/// <summary>
/// Splits a document into chunks of whole sentences, measured in the embedding model's own tokens: paragraphs (blank
/// lines) and sentences (<c>. ! ?</c> followed by white space) are packed greedily up to
/// <see cref="SentenceSplitterOptions.ChunkTokens"/>; the next chunk starts with the last sentences of the previous one,
/// up to <see cref="SentenceSplitterOptions.OverlapTokens"/>. A sentence longer than a chunk is split between words, and
/// a word longer than a chunk between characters, so no chunk ever exceeds the limit.
/// </summary>
/// <remarks>Thread-safe when the token counter is. Word-piece and byte-pair tokenizers never merge across white space,
/// so a chunk's count is the sum of its sentences' counts (each counted once) plus the counter's fixed overhead
/// (the count of an empty text: 2 for MiniLM's markers).</remarks>
public sealed class SentenceSplitter
{
    private readonly Func<string, int> _countTokens;
    private readonly int _overhead;
    private readonly int _limit;
    private readonly int _overlap;

    /// <summary>Creates a splitter.</summary>
    /// <param name="countTokens">The model's token counter, for example <c>LocalEmbeddingGenerator.CountTokens</c>.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The counter's overhead leaves no room in a chunk.</exception>
    public SentenceSplitter(Func<string, int> countTokens, SentenceSplitterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(countTokens);
        Options = (options ?? new SentenceSplitterOptions()).Validate();
        _countTokens = countTokens;
        _overhead = countTokens("");
        _limit = Options.ChunkTokens;
        _overlap = Options.OverlapTokens;
        if (_overhead < 0 || _overhead >= _limit / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(countTokens), _overhead,
                $"The token counter gives {_overhead} tokens for an empty text; ChunkTokens ({_limit}) leaves no room for text.");
        }
    }

    /// <summary>Gets the settings in force.</summary>
    public SentenceSplitterOptions Options { get; }

    /// <summary>Splits <paramref name="document"/>.</summary>
    /// <param name="document">The document.</param>
    /// <returns>Its chunks in order (none for a text of only white space).</returns>
    public IReadOnlyList<DocumentChunk> Split(SourceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var pieces = Pieces(document.Text);
        var chunks = new List<DocumentChunk>();
        int start = 0;
        while (start < pieces.Count)
        {
            int tokens = _overhead;
            int end = start;
            while (end < pieces.Count && tokens + pieces[end].Tokens <= _limit)
            {
                tokens += pieces[end].Tokens;
                end++;
            }

            chunks.Add(new DocumentChunk
            {
                DocumentId = document.Id,
                Source = document.Source,
                Title = document.Title,
                Position = chunks.Count,
                Text = Join(pieces, start, end),
                Tokens = tokens,
            });
            if (end == pieces.Count)
            {
                break;
            }

            int next = end;
            int repeated = 0;
            while (next - 1 > start && repeated + pieces[next - 1].Tokens <= _overlap)
            {
                next--;
                repeated += pieces[next].Tokens;
            }

            // The next chunk must take at least one new piece.
            while (next < end && _overhead + repeated + pieces[end].Tokens > _limit)
            {
                repeated -= pieces[next].Tokens;
                next++;
            }

            start = next;
        }

        return chunks;
    }

    private static string Join(List<Piece> pieces, int start, int end)
    {
        var text = new System.Text.StringBuilder();
        for (int i = start; i < end; i++)
        {
            if (i > start)
            {
                text.Append(pieces[i].StartsParagraph ? "\n\n" : " ");
            }

            text.Append(pieces[i].Text);
        }

        return text.ToString();
    }

    private List<Piece> Pieces(string text)
    {
        var pieces = new List<Piece>();
        int room = _limit - _overhead;
        foreach (string paragraph in Paragraphs(text))
        {
            bool first = true;
            foreach (string sentence in Sentences(paragraph))
            {
                int tokens = _countTokens(sentence) - _overhead;
                if (tokens <= room)
                {
                    pieces.Add(new Piece(sentence, tokens, first));
                }
                else
                {
                    foreach (var part in SplitLong(sentence, room))
                    {
                        pieces.Add(part with { StartsParagraph = first });
                        first = false;
                    }
                }

                first = false;
            }
        }

        return pieces;
    }

    /// <summary>Packs the words of a too-long sentence into parts that fit; a too-long word is cut between characters.</summary>
    private IEnumerable<Piece> SplitLong(string sentence, int room)
    {
        var words = new List<Piece>();
        foreach (string word in sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            int tokens = _countTokens(word) - _overhead;
            if (tokens <= room)
            {
                words.Add(new Piece(word, tokens, false));
                continue;
            }

            int at = 0;
            while (at < word.Length)
            {
                int length = Math.Min(room, word.Length - at);
                string part = word.Substring(at, length);
                int partTokens = _countTokens(part) - _overhead;
                while (partTokens > room && length > 1)
                {
                    length /= 2;
                    part = word.Substring(at, length);
                    partTokens = _countTokens(part) - _overhead;
                }

                words.Add(new Piece(part, partTokens, false));
                at += length;
            }
        }

        int start = 0;
        while (start < words.Count)
        {
            int tokens = 0;
            int end = start;
            while (end < words.Count && tokens + words[end].Tokens <= room)
            {
                tokens += words[end].Tokens;
                end++;
            }

            yield return new Piece(string.Join(' ', words.Skip(start).Take(end - start).Select(w => w.Text)), tokens, false);
            start = end;
        }
    }

    private static IEnumerable<string> Paragraphs(string text)
    {
        int start = 0;
        string normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        for (int i = 0; i < normalised.Length; i++)
        {
            if (normalised[i] == '\n' && IsBlankLineAfter(normalised, i, out int next))
            {
                string paragraph = normalised[start..i].Trim();
                if (paragraph.Length > 0)
                {
                    yield return paragraph;
                }

                start = next;
                i = next - 1;
            }
        }

        string last = normalised[start..].Trim();
        if (last.Length > 0)
        {
            yield return last;
        }
    }

    /// <summary>Whether a line of only white space follows the newline at <paramref name="at"/>; <paramref name="next"/> is where text resumes.</summary>
    private static bool IsBlankLineAfter(string text, int at, out int next)
    {
        int i = at + 1;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        next = i + 1;
        return i < text.Length && text[i] == '\n';
    }

    private static IEnumerable<string> Sentences(string paragraph)
    {
        int start = 0;
        for (int i = 0; i < paragraph.Length; i++)
        {
            if (paragraph[i] is not ('.' or '!' or '?'))
            {
                continue;
            }

            int end = i + 1;
            while (end < paragraph.Length && paragraph[end] is '.' or '!' or '?' or '"' or '\'' or ')' or ']' or '»' or '”' or '’')
            {
                end++;
            }

            if (end < paragraph.Length && char.IsWhiteSpace(paragraph[end]))
            {
                string sentence = paragraph[start..end].Trim();
                if (sentence.Length > 0)
                {
                    yield return sentence;
                }

                start = end;
            }

            i = end - 1;
        }

        string last = paragraph[start..].Trim();
        if (last.Length > 0)
        {
            yield return last;
        }
    }

    private readonly record struct Piece(string Text, int Tokens, bool StartsParagraph);
}
