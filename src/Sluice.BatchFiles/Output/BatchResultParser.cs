using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>Reads an output line with <see cref="Utf8JsonReader"/>, keeping the response body's bytes as they were.</summary>
internal static class BatchResultParser
{
    public static BatchResult Parse(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("Expected one JSON object per line.");
        }

        string? id = null, customId = null;
        BatchResponse? response = null;
        BatchResultError? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader, "id");
            }
            else if (reader.ValueTextEquals("custom_id"u8))
            {
                customId = ReadString(ref reader, "custom_id");
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                reader.Read();
                response = reader.TokenType == JsonTokenType.Null ? null : ReadResponse(ref reader, line);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = reader.TokenType == JsonTokenType.Null ? null : ReadError(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        while (reader.Read())
        {
        }

        if (string.IsNullOrEmpty(customId))
        {
            throw new FormatException("Missing 'custom_id': expected a non-empty string.");
        }

        if (response is null && error is null)
        {
            throw new FormatException("Expected a 'response' object or an 'error' object; both are null or missing.");
        }

        string lineId = string.IsNullOrEmpty(id) ? BatchResult.NewId() : id;
        return error is not null && response is null
            ? BatchResult.FromError(customId, error, lineId)
            : BatchResult.FromResponse(customId, response!, lineId);
    }

    private static BatchResponse ReadResponse(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        Expect(ref reader, JsonTokenType.StartObject, "response");
        int? statusCode = null;
        string? requestId = null;
        ReadOnlyMemory<byte> body = ReadOnlyMemory<byte>.Empty;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("status_code"u8))
            {
                reader.Read();
                statusCode = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int code)
                    ? code
                    : throw new FormatException("Invalid 'response.status_code': expected an integer.");
            }
            else if (reader.ValueTextEquals("request_id"u8))
            {
                reader.Read();
                requestId = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                body = line[start..(int)reader.BytesConsumed].ToArray();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return statusCode is { } status and >= 100 and <= 599
            ? new BatchResponse(status, requestId, body)
            : throw new FormatException("Missing 'response.status_code': expected an HTTP status code.");
    }

    private static BatchResultError ReadError(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "error");
        string? code = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                code = ReadString(ref reader, "error.code");
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = ReadString(ref reader, "error.message");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new BatchResultError(code ?? "", message ?? "");
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new FormatException($"Invalid '{name}': expected a string."),
        };
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string name)
    {
        if (reader.TokenType != type)
        {
            throw new FormatException($"Invalid '{name}': expected an object or null.");
        }
    }
}
