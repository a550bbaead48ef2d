using FastBertTokenizer;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// One worker's BERT word-piece tokenizer (FastBertTokenizer, lower-casing, MiniLM's vocabulary) with its own scratch
/// buffers. Not thread-safe: each worker rents one from the generator's pool.
/// </summary>
internal sealed class WordPieceTokenizer
{
    private readonly BertTokenizer _tokenizer = new();
    private readonly int _maxTokens;
    private long[] _ids = new long[1024];
    private long[] _mask = new long[1024];

    public WordPieceTokenizer(string vocabulary, int maxTokens)
    {
        _tokenizer.LoadVocabulary(new StringReader(vocabulary), convertInputToLowercase: true);
        _maxTokens = maxTokens;
    }

    /// <summary>Counts the word pieces of <paramref name="text"/> as the model would see them, markers included, never cut.</summary>
    public int Count(string text)
    {
        text = AccentFolding.Fold(text);
        int room = text.Length + 2;
        if (_ids.Length < room)
        {
            _ids = new long[Math.Max(room, _ids.Length * 2)];
            _mask = new long[_ids.Length];
        }

        return _tokenizer.Encode(text, _ids.AsSpan(0, room), _mask.AsSpan(0, room), padTo: null);
    }

    /// <summary>Tokenizes <paramref name="text"/> into a new array of at most <c>maxTokens</c> ids
    /// (<c>[CLS]</c> … <c>[SEP]</c>); says whether the text had to be cut.</summary>
    public long[] Tokenize(string text, out bool truncated)
    {
        text = AccentFolding.Fold(text);
        // A text never has more word pieces than characters (+ the two markers), so this buffer never truncates:
        // it tells the true length, and only a text longer than the limit is encoded a second time, cut.
        int room = text.Length + 2;
        if (_ids.Length < room)
        {
            _ids = new long[Math.Max(room, _ids.Length * 2)];
            _mask = new long[_ids.Length];
        }

        int count = _tokenizer.Encode(text, _ids.AsSpan(0, room), _mask.AsSpan(0, room), padTo: null);
        truncated = count > _maxTokens;
        if (truncated)
        {
            count = _tokenizer.Encode(text, _ids.AsSpan(0, _maxTokens), _mask.AsSpan(0, _maxTokens), padTo: null);
        }

        return _ids.AsSpan(0, count).ToArray();
    }
}
