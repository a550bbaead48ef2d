using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Sluice.AI;

/// <summary>
/// Estimates what a call will cost in tokens before it is sent: the prompt counted with a real tokenizer
/// (o200k_base, the encoding of current OpenAI models) plus the expected output — <c>MaxOutputTokens</c> when the
/// caller set it, else the 95th percentile of the output lengths observed so far, else a configured default.
/// </summary>
public sealed class TokenEstimator
{
    private const int PerMessageOverhead = 4;
    private const int PerReplyOverhead = 3;
    private const int Window = 512;
    private const int MinimumSamples = 20;
    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"));
    private readonly Lock _lock = new();
    private readonly int[] _outputs = new int[Window];
    private readonly int _defaultOutputTokens;
    private int _count;
    private int _next;
    private int _p95 = -1;

    /// <summary>Creates an estimator.</summary>
    /// <param name="defaultOutputTokens">Output tokens assumed until enough replies have been observed.</param>
    public TokenEstimator(int defaultOutputTokens = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(defaultOutputTokens);
        _defaultOutputTokens = defaultOutputTokens;
    }

    /// <summary>Starts loading the tokenizer's vocabulary (about 200,000 entries) in the background, so that the first
    /// estimates of a run do not hold up every caller while it loads.</summary>
    public static void Preload()
    {
        if (!SharedTokenizer.IsValueCreated)
        {
            _ = Task.Run(() => SharedTokenizer.Value);
        }
    }

    /// <summary>Counts the tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Its token count.</returns>
    public static int CountTokens(string? text) => string.IsNullOrEmpty(text) ? 0 : SharedTokenizer.Value.CountTokens(text);

    /// <summary>Counts the prompt tokens of a conversation, with OpenAI's per-message overhead.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The prompt's token count.</returns>
    public static int CountPrompt(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        int total = PerReplyOverhead;
        foreach (var message in messages)
        {
            total += PerMessageOverhead + CountTokens(message.Text);
        }

        return total;
    }

    /// <summary>Counts the tokens of an OpenAI-shaped request body as sent over HTTP: a chat completion's
    /// <c>messages</c> (text content, as a string or as <c>text</c> parts; with OpenAI's per-message overhead) or an
    /// embeddings request's <c>input</c> (a string, strings, or token arrays counted as they are).</summary>
    /// <param name="jsonBody">The request body, UTF-8 JSON.</param>
    /// <returns>The count; zero input for a body that is not JSON or has neither field.</returns>
    public static RequestTokenCount CountRequest(ReadOnlySpan<byte> jsonBody)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(jsonBody);
            if (!JsonDocument.TryParseValue(ref reader, out JsonDocument? parsed))
            {
                return default;
            }

            document = parsed;
        }
        catch (JsonException)
        {
            return default;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                int total = PerReplyOverhead;
                foreach (var message in messages.EnumerateArray())
                {
                    total += PerMessageOverhead;
                    if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content))
                    {
                        total += CountContent(content);
                    }
                }

                int? cap = PositiveInt(root, "max_completion_tokens") ?? PositiveInt(root, "max_tokens");
                return new RequestTokenCount(total, cap, IsEmbedding: false);
            }

            if (root.TryGetProperty("input", out var input))
            {
                return new RequestTokenCount(CountInput(input), 0, IsEmbedding: true);
            }

            return default;
        }
    }

    /// <summary>Gets the output tokens to expect for a call with these options.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns><c>MaxOutputTokens</c> if set, else the observed 95th percentile, else the default.</returns>
    public int ExpectedOutput(ChatOptions? options)
    {
        if (options?.MaxOutputTokens is > 0 and var max)
        {
            return max;
        }

        lock (_lock)
        {
            return _p95 >= 0 ? _p95 : _defaultOutputTokens;
        }
    }

    /// <summary>Estimates a chat call: prompt plus expected output.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimated total tokens.</returns>
    public int EstimateChat(IEnumerable<ChatMessage> messages, ChatOptions? options) => CountPrompt(messages) + ExpectedOutput(options);

    /// <summary>Records the output length of a reply, for the percentile.</summary>
    /// <param name="outputTokens">The reply's output tokens.</param>
    public void ObserveOutput(long outputTokens)
    {
        if (outputTokens < 0)
        {
            return;
        }

        lock (_lock)
        {
            _outputs[_next] = (int)Math.Min(outputTokens, int.MaxValue);
            _next = (_next + 1) % Window;
            _count = Math.Min(_count + 1, Window);
            if (_count >= MinimumSamples && (_count < Window || _next % 32 == 0))
            {
                var sorted = _outputs.AsSpan(0, _count).ToArray();
                Array.Sort(sorted);
                _p95 = sorted[(int)Math.Ceiling(0.95 * _count) - 1];
            }
        }
    }

    private static int CountContent(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return CountTokens(content.GetString());
        }

        int total = 0;
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    total += CountTokens(text.GetString());
                }
            }
        }

        return total;
    }

    private static int CountInput(JsonElement input)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return CountTokens(input.GetString());
            case JsonValueKind.Array:
                int total = 0;
                foreach (var item in input.EnumerateArray())
                {
                    total += item.ValueKind switch
                    {
                        JsonValueKind.Number => 1, // one token id of a token array
                        _ => CountInput(item),
                    };
                }

                return total;
            default:
                return 0;
        }
    }

    private static int? PositiveInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number > 0 ? number : null;
}
