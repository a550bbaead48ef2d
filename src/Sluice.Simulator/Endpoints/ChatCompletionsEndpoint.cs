using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Sluice.Simulator.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>: deterministic replies (or scripted ones), real token counts, optional SSE.</summary>
internal sealed class ChatCompletionsEndpoint : ISimulatedEndpoint
{
    private const int WordsPerChunk = 4;

    public string Name => "chat";

    public bool IsSimulatedWork => true;

    public SimulatedReply Answer(in EndpointRequest request)
    {
        using var document = JsonRequest.Parse(request.Body);
        var root = document.RootElement;
        string model = JsonRequest.RequiredModel(root);
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
            throw new InvalidRequest("Missing required parameter: 'messages'.", "messages");
        if (messages.ValueKind != JsonValueKind.Array)
            throw new InvalidRequest("Invalid type for 'messages': expected an array.", "messages");
        if (messages.GetArrayLength() == 0)
            throw new InvalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages");

        var tokens = request.State.Tokens;
        int promptTokens = 3;
        string lastUser = "";
        int index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw new InvalidRequest($"Missing required parameter: 'messages[{index}].role'.", $"messages[{index}].role");
            string text = MessageText(message, index);
            promptTokens += 3 + tokens.Count(text);
            if (role.ValueEquals("user"u8))
                lastUser = text;
            index++;
        }

        int? limit = JsonRequest.OptionalPositiveInt(root, "max_completion_tokens") ?? JsonRequest.OptionalPositiveInt(root, "max_tokens");
        var options = request.Options;
        if (promptTokens + (limit ?? 0) > options.ContextWindowTokens)
        {
            throw new InvalidRequest(
                $"This model's maximum context length is {options.ContextWindowTokens} tokens. However, you requested {promptTokens + (limit ?? 0)} tokens ({promptTokens} in the messages, {limit ?? 0} in the completion). Please reduce the length of the messages or completion.",
                "messages", "context_length_exceeded");
        }

        ulong seed = request.Hash.Seed(options.Seed);
        string finish = "stop";
        string content;
        int completionTokens;
        if (request.State.Rules.Match(lastUser) is { } scripted)
        {
            content = scripted;
            completionTokens = tokens.Count(scripted);
        }
        else
        {
            var random = new Content.SeededRandom(seed);
            int target = random.Next(options.MinCompletionTokens, options.MaxCompletionTokens);
            if (limit is { } max && max < target)
            {
                target = max;
                finish = "length";
            }
            content = request.State.Text.Generate(random.NextUInt64(), target);
            completionTokens = target;
        }

        bool stream = JsonRequest.OptionalBool(root, "stream");
        bool includeUsage = stream && root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object && JsonRequest.OptionalBool(so, "include_usage");
        string id = "chatcmpl-" + request.Hash.ToId();
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var usage = (promptTokens, completionTokens);
        byte[] body = Completion(id, created, model, content, finish, usage);
        return new SimulatedReply
        {
            Body = body,
            Stream = stream ? Chunks(id, created, model, content, finish, usage, includeUsage) : null,
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            TokenCost = promptTokens + (limit ?? completionTokens),
            UsesTokenBudget = true,
        };
    }

    private static string MessageText(JsonElement message, int index)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            return "";
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
            throw new InvalidRequest($"Invalid type for 'messages[{index}].content': expected a string or an array of content parts.", $"messages[{index}].content");
        var builder = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                builder.Append(text.GetString());
        }
        return builder.ToString();
    }

    private static byte[] Completion(string id, long created, string model, string content, string finish, (int Prompt, int Completion) usage)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + content.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Header(json, id, "chat.completion", created, model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", content);
            json.WriteNull("refusal");
            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", finish);
            json.WriteEndObject();
            json.WriteEndArray();
            Usage(json, usage);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static List<(byte[], int)> Chunks(string id, long created, string model, string content, string finish, (int Prompt, int Completion) usage, bool includeUsage)
    {
        var chunks = new List<(byte[], int)> { (Chunk(id, created, model, role: true, "", null), 0) };
        var pieces = Pieces(content);
        for (int i = 0; i < pieces.Count; i++)
        {
            // Spread the output tokens evenly over the pieces so per-token latency is paced across the stream.
            int tokens = (int)((long)usage.Completion * (i + 1) / pieces.Count - (long)usage.Completion * i / pieces.Count);
            chunks.Add((Chunk(id, created, model, role: false, pieces[i], null), tokens));
        }
        chunks.Add((Chunk(id, created, model, role: false, null, finish), 0));
        if (includeUsage)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                Header(json, id, "chat.completion.chunk", created, model);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                Usage(json, usage);
                json.WriteEndObject();
            }
            chunks.Add((buffer.WrittenSpan.ToArray(), 0));
        }
        return chunks;
    }

    /// <summary>Splits text into pieces of <see cref="WordsPerChunk"/> words, each piece keeping its leading space.</summary>
    private static List<string> Pieces(string content)
    {
        var pieces = new List<string>();
        int start = 0, spaces = 0;
        for (int i = 0; i < content.Length; i++)
        {
            if (content[i] == ' ' && ++spaces % WordsPerChunk == 0)
            {
                pieces.Add(content[start..i]);
                start = i;
            }
        }
        if (start < content.Length || pieces.Count == 0)
            pieces.Add(content[start..]);
        return pieces;
    }

    private static byte[] Chunk(string id, long created, string model, bool role, string? content, string? finish)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Header(json, id, "chat.completion.chunk", created, model);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("delta");
            if (role)
                json.WriteString("role", "assistant");
            if (content is not null)
                json.WriteString("content", content);
            json.WriteEndObject();
            json.WriteNull("logprobs");
            if (finish is null) json.WriteNull("finish_reason"); else json.WriteString("finish_reason", finish);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Header(Utf8JsonWriter json, string id, string kind, long created, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", kind);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
        json.WriteString("system_fingerprint", "fp_sluice_sim");
    }

    private static void Usage(Utf8JsonWriter json, (int Prompt, int Completion) usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.Prompt);
        json.WriteNumber("completion_tokens", usage.Completion);
        json.WriteNumber("total_tokens", usage.Prompt + usage.Completion);
        json.WriteEndObject();
    }
}
