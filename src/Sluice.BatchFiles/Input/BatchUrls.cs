namespace Sluice.BatchFiles;

/// <summary>Reads a line's <c>url</c>: OpenAI's spelling, and vLLM's leniencies.</summary>
internal static class BatchUrls
{
    public const string ChatCompletions = "/v1/chat/completions";
    public const string Embeddings = "/v1/embeddings";

    public static string Canonical(BatchEndpoint endpoint) => endpoint == BatchEndpoint.Embeddings ? Embeddings : ChatCompletions;

    /// <summary>
    /// Accepts <c>/v1/chat/completions</c> and <c>/v1/embeddings</c>, also without the leading slash, without the
    /// <c>/v1</c> prefix, with a trailing slash or in another letter case.
    /// </summary>
    public static bool TryParse(string url, out BatchEndpoint endpoint)
    {
        ReadOnlySpan<char> path = url.AsSpan().Trim().Trim('/');
        if (path.StartsWith("v1/", StringComparison.OrdinalIgnoreCase))
        {
            path = path[3..];
        }

        if (path.Equals("chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            endpoint = BatchEndpoint.ChatCompletions;
            return true;
        }

        if (path.Equals("embeddings", StringComparison.OrdinalIgnoreCase))
        {
            endpoint = BatchEndpoint.Embeddings;
            return true;
        }

        endpoint = default;
        return false;
    }
}
