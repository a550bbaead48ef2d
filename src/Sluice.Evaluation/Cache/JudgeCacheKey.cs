using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>The content address of a judge call: SHA-256 (hex) over the model, the messages, the options and the repetition index.</summary>
internal static class JudgeCacheKey
{
    private const string Version = "sluice-judge-cache/1";

    public static string Compute(string? model, IEnumerable<ChatMessage> messages, ChatOptions? options, int repetition)
    {
        var json = AIJsonUtilities.DefaultOptions;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("v", Version);
            writer.WriteString("model", model);
            writer.WriteNumber("repetition", repetition);
            writer.WritePropertyName("messages");
            JsonSerializer.Serialize(writer, messages as IList<ChatMessage> ?? messages.ToList(), json);
            writer.WritePropertyName("options");
            if (options is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(writer, options, json);
            }

            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }
}
