namespace Sluice.Rag;

/// <summary>A file of URLs to ingest: one absolute http(s) URL per line; blank lines and lines starting with <c>#</c>
/// are skipped, surrounding white space is trimmed.</summary>
public static class UrlListFile
{
    /// <summary>Reads and checks every line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The URLs, in file order, each once (a repeated URL is kept at its first line).</returns>
    /// <exception cref="TextRecordFormatException">The file cannot be read, or a line is not an absolute http(s) URL
    /// (the message names the file and line).</exception>
    public static async Task<IReadOnlyList<string>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new TextRecordFormatException(path, 0, $"cannot be read: {exception.Message}", exception);
        }

        var urls = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!Uri.TryCreate(line, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new TextRecordFormatException(path, i + 1, $"'{line}' is not an absolute http or https URL (one URL per line; # starts a comment).");
            }

            if (seen.Add(uri.AbsoluteUri))
            {
                urls.Add(uri.AbsoluteUri);
            }
        }

        return urls;
    }
}
