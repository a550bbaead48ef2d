namespace Sluice.BatchFiles;

/// <summary>One valid line of a batch input file: a request to send, with its body bytes exactly as in the file.</summary>
public sealed class BatchRequest
{
    internal BatchRequest(long lineNumber, string customId, BatchEndpoint endpoint, string? model, ReadOnlyMemory<byte> body)
    {
        LineNumber = lineNumber;
        CustomId = customId;
        Endpoint = endpoint;
        Model = model;
        Body = body;
    }

    /// <summary>The 1-based line number of the request in the input file.</summary>
    public long LineNumber { get; }

    /// <summary>The request's <c>custom_id</c>, unique in the file.</summary>
    public string CustomId { get; }

    /// <summary>The HTTP method: always <c>POST</c> (a line without <c>method</c> means <c>POST</c>).</summary>
    public string Method => "POST";

    /// <summary>The endpoint the line addresses.</summary>
    public BatchEndpoint Endpoint { get; }

    /// <summary>The endpoint's path in OpenAI's spelling, <c>/v1/chat/completions</c> or <c>/v1/embeddings</c>, whatever spelling the line used.</summary>
    public string Url => BatchUrls.Canonical(Endpoint);

    /// <summary>The body's <c>model</c>, or <see langword="null"/> when the body has none.</summary>
    public string? Model { get; }

    /// <summary>The body's JSON bytes exactly as they appear in the file (a re-sent request carries the same bytes).</summary>
    public ReadOnlyMemory<byte> Body { get; }
}
