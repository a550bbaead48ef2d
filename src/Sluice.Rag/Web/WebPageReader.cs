using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Rag;

/// <summary>
/// Fetches many web pages concurrently for ingestion, politely and safely: at most
/// <see cref="WebPageReaderOptions.MaxConcurrency"/> pages at once and <see cref="WebPageReaderOptions.MaxConcurrencyPerHost"/>
/// per host, a timeout per request (the body included), redirects followed by hand (limited, loops detected),
/// a size limit enforced while reading, and a media-type check before the body is read. Every URL gets a
/// <see cref="WebPageResult"/>; a failed page never stops the others.
/// </summary>
/// <remarks>Thread-safe. The reader owns its <see cref="HttpClient"/> (automatic redirects off); dispose it when done.</remarks>
public sealed partial class WebPageReader : IDisposable
{
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _allowed;

    /// <summary>Creates a reader.</summary>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public WebPageReader(WebPageReaderOptions? options = null)
    {
        Options = (options ?? new WebPageReaderOptions()).Validate();
        _allowed = new HashSet<string>(Options.AllowedContentTypes.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = Options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(Options.UserAgent);
    }

    /// <summary>Gets the settings in force.</summary>
    public WebPageReaderOptions Options { get; }

    /// <summary>Reads every URL.</summary>
    /// <param name="urls">The URLs; read lazily as the concurrency allows.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>One result per URL, in input order. A page's <see cref="WebDocument.Text"/> is its body decoded with the
    /// charset it declares (UTF-8 otherwise); its metadata holds <c>url</c>, <c>final_url</c>, <c>content_type</c> and,
    /// for HTML with a <c>&lt;title&gt;</c>, <c>title</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="urls"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<WebPageResult> ReadAsync(IEnumerable<string> urls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return RunAsync(urls, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        foreach (var gate in _hosts.Values)
        {
            gate.Dispose();
        }
    }

    private async IAsyncEnumerable<WebPageResult> RunAsync(IEnumerable<string> urls, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new BatchOptions { MaxConcurrency = Options.MaxConcurrency, Ordered = true, TimeProvider = Options.TimeProvider };
        await foreach (var result in Batch.ProcessAsync(urls, (url, ct) => new ValueTask<WebPageResult>(ReadOneAsync(url, ct)), batch, cancellationToken).ConfigureAwait(false))
        {
            if (!result.Succeeded)
            {
                if (result.Error is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw result.Error;
                }

                yield return new WebPageResult(result.Input, null, new WebPageFailure(WebPageFailureKind.Network, result.Error!.Message));
                continue;
            }

            yield return result.Value!;
        }
    }

    private async Task<WebPageResult> ReadOneAsync(string url, CancellationToken cancellationToken)
    {
        if (!IsWebAddress(url, out var current))
        {
            return Fail(url, WebPageFailureKind.InvalidUrl, $"'{url}' is not an absolute http or https URL.");
        }

        var visited = new HashSet<string>(StringComparer.Ordinal) { current.AbsoluteUri };
        CancellationTokenSource? deadline = null;
        try
        {
            for (int redirects = 0; ; redirects++)
            {
                // Waiting for the host's slot is not the page's time: the timeout starts once the request can go.
                var gate = _hosts.GetOrAdd(current.Authority, _ => new SemaphoreSlim(Options.MaxConcurrencyPerHost, Options.MaxConcurrencyPerHost));
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                Uri? next;
                try
                {
                    deadline?.Dispose();
                    deadline = new CancellationTokenSource(Options.Timeout, Options.TimeProvider);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                    using var request = new HttpRequestMessage(HttpMethod.Get, current);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    if (status is 301 or 302 or 303 or 307 or 308)
                    {
                        if (response.Headers.Location is not { } location)
                        {
                            return Fail(url, WebPageFailureKind.HttpStatus, $"{current} answered {status} without a Location header.", status);
                        }

                        next = new Uri(current, location);
                    }
                    else
                    {
                        return await ReadBodyAsync(url, current, response, linked.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    gate.Release();
                }

                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                {
                    return Fail(url, WebPageFailureKind.InvalidUrl, $"{current} redirects to '{next}', which is not an http or https URL.");
                }

                if (!visited.Add(next.AbsoluteUri))
                {
                    return Fail(url, WebPageFailureKind.RedirectLoop, $"{current} redirects back to {next}, already visited: a redirect loop.");
                }

                if (redirects + 1 > Options.MaxRedirects)
                {
                    return Fail(url, WebPageFailureKind.TooManyRedirects, $"{url} needs more than {Options.MaxRedirects} redirects (WebPageReaderOptions.MaxRedirects).");
                }

                current = next;
            }
        }
        catch (OperationCanceledException) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return Fail(url, WebPageFailureKind.Timeout, $"{current} took longer than {Options.Timeout.TotalSeconds:0.###} s (WebPageReaderOptions.Timeout).");
        }
        catch (Exception error) when (error is HttpRequestException or IOException)
        {
            return Fail(url, WebPageFailureKind.Network, $"{current} could not be read: {error.Message}");
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    private async Task<WebPageResult> ReadBodyAsync(string url, Uri current, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            return Fail(url, WebPageFailureKind.HttpStatus, $"{current} answered {status} {response.ReasonPhrase}.", status);
        }

        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !_allowed.Contains(mediaType))
        {
            return Fail(url, WebPageFailureKind.UnsupportedContentType,
                $"{current} is '{mediaType ?? "(no content type)"}'; accepted: {string.Join(", ", Options.AllowedContentTypes)} (WebPageReaderOptions.AllowedContentTypes).", status);
        }

        if (response.Content.Headers.ContentLength is { } length && length > Options.MaxBytes)
        {
            return Fail(url, WebPageFailureKind.TooLarge, $"{current} is {length:N0} bytes; the limit is {Options.MaxBytes:N0} (WebPageReaderOptions.MaxBytes).", status);
        }

        byte[]? body = await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Fail(url, WebPageFailureKind.TooLarge, $"{current} sent more than {Options.MaxBytes:N0} bytes (WebPageReaderOptions.MaxBytes).", status);
        }

        string text = Decode(body, response.Content.Headers.ContentType?.CharSet);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WebDocument.UrlKey] = url,
            [WebDocument.FinalUrlKey] = current.AbsoluteUri,
            [WebDocument.ContentTypeKey] = mediaType,
            ["fetched_at"] = Options.TimeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        if (mediaType.Contains("html", StringComparison.OrdinalIgnoreCase) && Title().Match(text) is { Success: true } title)
        {
            metadata[WebDocument.TitleKey] = WebUtility.HtmlDecode(title.Groups[1].Value).Trim();
        }

        return new WebPageResult(url, new WebDocument { Id = url, Text = text, Metadata = metadata }, null);
    }

    /// <summary>The body, or <see langword="null"/> as soon as it passes <see cref="WebPageReaderOptions.MaxBytes"/>.</summary>
    private async Task<byte[]?> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var body = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > Options.MaxBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private static string Decode(byte[] body, string? charset)
    {
        Encoding encoding = Encoding.UTF8;
        if (!string.IsNullOrWhiteSpace(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"', ' '));
            }
            catch (ArgumentException)
            {
                // An unknown charset: UTF-8, the web's default, is the best guess.
            }
        }

        return encoding.GetString(body);
    }

    private static bool IsWebAddress(string? url, out Uri uri)
    {
        uri = null!;
        return url is not null && Uri.TryCreate(url, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
    }

    private static WebPageResult Fail(string url, WebPageFailureKind kind, string message, int? status = null) =>
        new(url, null, new WebPageFailure(kind, message, status));

    [GeneratedRegex(@"<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Title();
}
