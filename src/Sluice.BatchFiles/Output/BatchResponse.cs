namespace Sluice.BatchFiles;

/// <summary>The HTTP answer of an output line: <c>{"status_code", "request_id", "body"}</c>.</summary>
public sealed class BatchResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="requestId">The provider's request id (its <c>x-request-id</c> header), or <see langword="null"/>.</param>
    /// <param name="body">The response body's JSON bytes, kept as they are; a body that is not JSON is written as a JSON string.</param>
    public BatchResponse(int statusCode, string? requestId, ReadOnlyMemory<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100, nameof(statusCode));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599, nameof(statusCode));
        StatusCode = statusCode;
        RequestId = requestId;
        Body = body;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The provider's request id, or <see langword="null"/>.</summary>
    public string? RequestId { get; }

    /// <summary>The body's bytes (JSON).</summary>
    public ReadOnlyMemory<byte> Body { get; }
}
