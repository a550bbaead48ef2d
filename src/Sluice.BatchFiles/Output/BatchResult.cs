using System.Buffers;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>
/// One line of an OpenAI Batch API output or error file:
/// <c>{"id": "batch_req_…", "custom_id", "response": {"status_code", "request_id", "body"} | null, "error": {"code", "message"} | null}</c>.
/// </summary>
public sealed class BatchResult
{
    private BatchResult(string id, string customId, BatchResponse? response, BatchResultError? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(customId);
        Id = id;
        CustomId = customId;
        Response = response;
        Error = error;
    }

    /// <summary>The line's own id, <c>batch_req_</c> and 32 hexadecimal digits when Sluice makes it.</summary>
    public string Id { get; }

    /// <summary>The request's <c>custom_id</c>.</summary>
    public string CustomId { get; }

    /// <summary>The HTTP answer, or <see langword="null"/> when the request got none.</summary>
    public BatchResponse? Response { get; }

    /// <summary>Why the request got no HTTP answer, or <see langword="null"/>.</summary>
    public BatchResultError? Error { get; }

    /// <summary>Whether the request succeeded: an HTTP answer with a 2xx status and no error. Other lines belong in the errors file.</summary>
    public bool Succeeded => Error is null && Response is { StatusCode: >= 200 and < 300 };

    /// <summary>A line for an HTTP answer, success or failure (a failure keeps its status and the provider's error body).</summary>
    /// <param name="customId">The request's <c>custom_id</c>.</param>
    /// <param name="response">The HTTP answer.</param>
    /// <param name="id">The line's id; <see langword="null"/> makes a new one.</param>
    /// <returns>The line.</returns>
    public static BatchResult FromResponse(string customId, BatchResponse response, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(id ?? NewId(), customId, response, null);
    }

    /// <summary>A line for a request that got no HTTP answer: <c>"response": null</c> and an <c>error</c>.</summary>
    /// <param name="customId">The request's <c>custom_id</c>.</param>
    /// <param name="error">What happened.</param>
    /// <param name="id">The line's id; <see langword="null"/> makes a new one.</param>
    /// <returns>The line.</returns>
    public static BatchResult FromError(string customId, BatchResultError error, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(id ?? NewId(), customId, null, error);
    }

    /// <summary>A new line id: <c>batch_req_</c> and 32 random hexadecimal digits.</summary>
    /// <returns>The id.</returns>
    public static string NewId() => "batch_req_" + RandomHex(16);

    /// <summary>Random hexadecimal digits, two per byte: an identifier, not a secret, so from <see cref="Random.Shared"/>
    /// rather than the operating system's cryptographic generator (a system call per line).</summary>
    internal static string RandomHex(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        Random.Shared.NextBytes(random);
        return Convert.ToHexStringLower(random);
    }

    /// <summary>The line as compact UTF-8 JSON, without a line end, properties in OpenAI's order.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToJsonLine()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Response?.Body.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the line as one JSON object (the bytes <see cref="ToJsonLine"/> returns) into <paramref name="writer"/>,
    /// for a caller that writes it inside a record of its own without an intermediate copy.</summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, Id);
        writer.WriteString("custom_id"u8, CustomId);
        if (Response is { } response)
        {
            writer.WriteStartObject("response"u8);
            writer.WriteNumber("status_code"u8, response.StatusCode);
            writer.WriteString("request_id"u8, response.RequestId);
            writer.WritePropertyName("body"u8);
            WriteBody(writer, response.Body.Span);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("response"u8);
        }

        if (Error is { } error)
        {
            writer.WriteStartObject("error"u8);
            writer.WriteString("code"u8, error.Code);
            writer.WriteString("message"u8, error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error"u8);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads one output line (the shape <see cref="ToJsonLine"/> writes, and OpenAI's).</summary>
    /// <param name="line">The line's UTF-8 bytes.</param>
    /// <returns>The result; the response body is a copy of its bytes as they were.</returns>
    /// <exception cref="FormatException">The line is not an output line; the message says what was expected.</exception>
    public static BatchResult Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            return BatchResultParser.Parse(line);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The line is not valid JSON: {exception.Message}", exception);
        }
    }

    private static void WriteBody(Utf8JsonWriter writer, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            writer.WriteNullValue();
        }
        else if (IsOneJsonValue(body))
        {
            writer.WriteRawValue(body, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(body);
        }
    }

    private static bool IsOneJsonValue(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
