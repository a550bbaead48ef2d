using System.Buffers;
using System.Text.Json;

namespace Sluice.Simulator.Endpoints;

/// <summary>What an endpoint wants to answer, before limits, faults and latency are applied.</summary>
internal sealed class SimulatedReply
{
    public int StatusCode { get; init; } = 200;

    /// <summary>The JSON body (for a stream: the body the malformed fault truncates).</summary>
    public required byte[] Body { get; init; }

    /// <summary>Server-sent event payloads with the output tokens each carries; null for a plain JSON answer.</summary>
    public IReadOnlyList<(byte[] Payload, int Tokens)>? Stream { get; init; }

    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }

    /// <summary>Tokens charged to the tokens-per-minute budget.</summary>
    public int TokenCost { get; init; }

    /// <summary>Whether the answer is charged to the tokens-per-minute budget.</summary>
    public bool UsesTokenBudget { get; init; }

    public bool IsSuccess => StatusCode == 200;

    public static SimulatedReply Error(int status, string message, string type, string? param, string? code) =>
        new() { StatusCode = status, Body = ErrorBody(message, type, param, code) };

    /// <summary>An OpenAI-shaped error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static byte[] ErrorBody(string message, string type, string? param, string? code)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            if (param is null) json.WriteNull("param"); else json.WriteString("param", param);
            if (code is null) json.WriteNull("code"); else json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
