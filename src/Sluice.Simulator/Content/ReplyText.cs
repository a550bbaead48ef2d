using System.Collections.Concurrent;
using System.Text;

namespace Sluice.Simulator.Content;

/// <summary>
/// Generates deterministic filler text whose every word is exactly one token in the chosen encoding, so a reply of
/// N words has exactly N completion tokens without re-tokenising it.
/// </summary>
internal sealed class ReplyText
{
    private static readonly string[] Candidates =
    [
        "the", "data", "batch", "model", "token", "request", "answer", "result", "system", "value", "time", "work",
        "item", "list", "order", "rate", "limit", "queue", "stream", "file", "page", "text", "query", "index",
        "search", "report", "test", "case", "point", "part", "level", "state", "group", "number", "line", "word",
        "is", "and", "of", "to", "in", "for", "with", "on", "that", "this", "it", "as", "by", "from", "are", "was",
        "can", "will", "each", "more", "most", "some", "many", "all", "new", "first", "last", "good", "fast", "slow",
        "large", "small", "clear", "simple", "short", "long", "high", "low", "right", "left", "open", "close",
    ];

    private static readonly ConcurrentDictionary<string, ReplyText> Cache = new();
    private readonly string[] _words;

    private ReplyText(TokenCounter counter)
    {
        var words = new List<string>();
        foreach (var w in Candidates)
        {
            if (counter.Count(" " + w) == 1 && counter.Count(w) == 1 && counter.Count(w + ".") == 2
                && counter.Count(char.ToUpperInvariant(w[0]) + w[1..]) == 1)
                words.Add(w);
        }
        _words = words.ToArray();
    }

    public static ReplyText For(string encoding) => Cache.GetOrAdd(encoding, static e => new ReplyText(TokenCounter.For(e)));

    /// <summary>Returns <paramref name="tokens"/> words (the last followed by a full stop, which is one more token when room allows).</summary>
    public string Generate(ulong seed, int tokens)
    {
        var random = new SeededRandom(seed);
        var builder = new StringBuilder(tokens * 7);
        int words = tokens > 1 ? tokens - 1 : tokens;
        for (int i = 0; i < words; i++)
        {
            if (i > 0)
                builder.Append(' ');
            var word = _words[random.Next(0, _words.Length - 1)];
            if (i == 0)
                builder.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            else
                builder.Append(word);
        }
        if (tokens > 1)
            builder.Append('.');
        return builder.ToString();
    }
}
