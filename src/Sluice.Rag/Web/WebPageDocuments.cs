using System.Runtime.CompilerServices;

namespace Sluice.Rag;

/// <summary>Web pages as ingestion input: <see cref="WebPageReader"/> fetches them, and each page becomes a
/// <see cref="SourceDocument"/> (id and source: the URL asked for) read as its media type says — HTML through the same
/// reader as <c>.html</c> files, Markdown with its first heading as title, anything else as plain text. A page that
/// could not be fetched is an error outcome naming the URL and the reason.</summary>
public static class WebPageDocuments
{
    /// <summary>Fetches and reads every URL.</summary>
    /// <param name="reader">The page reader (its concurrency, per-host, timeout and size limits apply).</param>
    /// <param name="urls">The URLs.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>One outcome per URL, in input order, for <see cref="IngestionPipeline.IngestAsync"/>.</returns>
    public static async IAsyncEnumerable<ReadOutcome> ReadAsync(
        WebPageReader reader, IEnumerable<string> urls, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(urls);
        await foreach (var page in reader.ReadAsync(urls, cancellationToken).ConfigureAwait(false))
        {
            yield return ToOutcome(page);
        }
    }

    private static ReadOutcome ToOutcome(WebPageResult page)
    {
        if (page.Document is not { } document)
        {
            return ReadOutcome.Failed(page.Url, $"{page.Failure?.Kind}: {page.Failure?.Message}", page.Url);
        }

        try
        {
            string mediaType = document.Metadata.TryGetValue(WebDocument.ContentTypeKey, out var type) ? type.Split(';')[0].Trim() : "";
            var (title, text) = mediaType.ToLowerInvariant() switch
            {
                "text/html" or "application/xhtml+xml" => HtmlFormat.Read(document.Text),
                "text/markdown" => PlainTextFormat.Markdown(document.Text),
                _ => ("", document.Text),
            };
            if (title.Length == 0 && document.Metadata.TryGetValue(WebDocument.TitleKey, out var pageTitle))
            {
                title = pageTitle;
            }

            return ReadOutcome.Of(new SourceDocument { Id = page.Url, Source = page.Url, Title = title.Length > 0 ? title : page.Url, Text = text });
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return ReadOutcome.Failed(page.Url, $"{exception.GetType().Name}: {exception.Message}", page.Url);
        }
    }
}
