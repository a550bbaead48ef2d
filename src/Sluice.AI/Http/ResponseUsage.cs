using System.Text.Json;

namespace Sluice.AI;

/// <summary>Reads the <c>usage</c> object of an OpenAI-shaped response body without parsing the rest of it (an
/// embeddings response is mostly numbers).</summary>
public static class ResponseUsage
{
    /// <summary>The tokens a response body reports: <c>usage.prompt_tokens</c> (or <c>input_tokens</c>) and
    /// <c>usage.completion_tokens</c> (or <c>output_tokens</c>).</summary>
    /// <param name="body">The response body, UTF-8 JSON.</param>
    /// <returns>Each count, or <see langword="null"/> when the body does not report it (or is not JSON).</returns>
    public static (long? Input, long? Output) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (!isUsage || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                long? input = null;
                long? output = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool prompt = reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8);
                    bool completion = reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8);
                    reader.Read();
                    if ((prompt || completion) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value))
                    {
                        if (prompt)
                        {
                            input = value;
                        }
                        else
                        {
                            output = value;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                return (input, output);
            }
        }
        catch (JsonException)
        {
        }

        return default;
    }
}
