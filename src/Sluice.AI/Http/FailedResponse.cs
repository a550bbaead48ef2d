using System.Net;

namespace Sluice.AI;

/// <summary>
/// An attempt's HTTP answer that was not a success, buffered: the status, the headers and the body. Thrown inside
/// <see cref="SluiceThroughputHandler"/> so that the retry, concurrency and budget layers see a failed attempt exactly
/// as they see one from the OpenAI SDK; the handler turns the last one back into the response it returns.
/// </summary>
internal sealed class FailedResponseException : HttpRequestException
{
    public FailedResponseException(HttpResponseMessage response, byte[] body)
        : base($"The provider answered {(int)response.StatusCode} ({response.ReasonPhrase}).", null, response.StatusCode)
    {
        Status = (int)response.StatusCode;
        Version = response.Version;
        ReasonPhrase = response.ReasonPhrase;
        Headers = [.. response.Headers, .. response.Content.Headers];
        Body = body;
    }

    public int Status { get; }

    public Version Version { get; }

    public string? ReasonPhrase { get; }

    public KeyValuePair<string, IEnumerable<string>>[] Headers { get; }

    public byte[] Body { get; }

    /// <summary>One header's first value, or <see langword="null"/>.</summary>
    public string? Header(string name)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.FirstOrDefault();
            }
        }

        return null;
    }

    /// <summary>Whether the body says the quota is exhausted (no waiting cures it).</summary>
    public bool QuotaExhausted => Body.AsSpan().IndexOf("insufficient_quota"u8) >= 0;

    /// <summary>A fresh response with the same status, headers and body, for the caller.</summary>
    public HttpResponseMessage ToResponse(HttpRequestMessage request)
    {
        var response = new HttpResponseMessage((HttpStatusCode)Status)
        {
            Version = Version,
            ReasonPhrase = ReasonPhrase,
            RequestMessage = request,
            Content = new ByteArrayContent(Body),
        };
        foreach (var header in Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return response;
    }
}
