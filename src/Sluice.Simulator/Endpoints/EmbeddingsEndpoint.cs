using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sluice.Simulator.Content;

namespace Sluice.Simulator.Endpoints;

/// <summary><c>POST /v1/embeddings</c>: one deterministic unit vector per input text (float or base64 encoding).</summary>
internal sealed class EmbeddingsEndpoint : ISimulatedEndpoint
{
    public string Name => "embeddings";

    public bool IsSimulatedWork => true;

    public SimulatedReply Answer(in EndpointRequest request)
    {
        using var document = JsonRequest.Parse(request.Body);
        var root = document.RootElement;
        string model = JsonRequest.RequiredModel(root);
        var inputs = Inputs(root);
        int dimensions = JsonRequest.OptionalPositiveInt(root, "dimensions") ?? request.Options.EmbeddingDimensions;
        bool base64 = root.TryGetProperty("encoding_format", out var format) && format.ValueKind == JsonValueKind.String && format.ValueEquals("base64"u8);
        if (dimensions > 8192)
            throw new InvalidRequest("Invalid 'dimensions': at most 8192.", "dimensions");

        int promptTokens = 0;
        var buffer = new ArrayBufferWriter<byte>(inputs.Count * (base64 ? dimensions * 4 / 3 + 64 : dimensions * 12 + 64) + 128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (int i = 0; i < inputs.Count; i++)
            {
                var (text, tokens) = inputs[i];
                promptTokens += tokens ?? request.State.Tokens.Count(text);
                var vector = EmbeddingVector.Create(RequestHash.Of(text).Seed(request.Options.Seed, (ulong)dimensions), dimensions);
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", i);
                if (base64)
                {
                    json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (float v in vector)
                        json.WriteNumberValue(v);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model", model);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", promptTokens);
            json.WriteNumber("total_tokens", promptTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return new SimulatedReply
        {
            Body = buffer.WrittenSpan.ToArray(),
            PromptTokens = promptTokens,
            TokenCost = promptTokens,
            UsesTokenBudget = true,
        };
    }

    /// <summary>The inputs as texts; token-id inputs become their ids joined by spaces and count one token per id.</summary>
    private static List<(string Text, int? Tokens)> Inputs(JsonElement root)
    {
        const string Empty = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
            throw new InvalidRequest("Missing required parameter: 'input'.", "input");
        var inputs = new List<(string, int?)>();
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                inputs.Add((input.GetString()!, null));
                break;
            case JsonValueKind.Array when input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number:
                inputs.Add(TokenIds(input));
                break;
            case JsonValueKind.Array:
                foreach (var item in input.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                        inputs.Add((item.GetString()!, null));
                    else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0)
                        inputs.Add(TokenIds(item));
                    else
                        throw new InvalidRequest(Empty, "input");
                }
                break;
            default:
                throw new InvalidRequest(Empty, "input");
        }
        if (inputs.Count == 0 || inputs.Exists(i => i.Item1.Length == 0))
            throw new InvalidRequest(Empty, "input");
        if (inputs.Count > 2048)
            throw new InvalidRequest("Invalid 'input': at most 2048 inputs per request.", "input");
        return inputs;
    }

    private static (string, int?) TokenIds(JsonElement array)
    {
        var ids = new List<string>();
        foreach (var id in array.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number)
                throw new InvalidRequest("'$.input' is invalid: token arrays must hold integers.", "input");
            ids.Add(id.GetRawText());
        }
        return (string.Join(' ', ids), ids.Count);
    }
}
