using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace Sluice.Simulator.Content;

/// <summary>Counts tokens with a real tiktoken encoding (cached per encoding; creating one takes a while).</summary>
internal sealed class TokenCounter
{
    private static readonly ConcurrentDictionary<string, Lazy<TokenCounter>> Cache = new();
    private readonly Tokenizer _tokenizer;

    private TokenCounter(string encoding) => _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);

    public static TokenCounter For(string encoding) =>
        Cache.GetOrAdd(encoding, static e => new Lazy<TokenCounter>(() => new TokenCounter(e))).Value;

    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
}
