using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Polly;
using Sluice.AI;

namespace Sluice.Rag;

/// <summary>
/// A client for the Parallel Web Systems Search and Extract APIs (<c>POST {base}/v1beta/search</c>,
/// <c>POST {base}/v1beta/extract</c>, headers <c>x-api-key</c> and <c>parallel-beta: search-extract-2025-10-10</c>)
/// whose results are <see cref="WebDocument"/>s. Where LlamaIndex's <c>ParallelWebSystemsToolSpec</c> prints an error
/// and returns an empty list, this client retries transient failures with Sluice's retry rules and then throws a
/// <see cref="ParallelWebException"/>; a URL the extract API could not read is a <see cref="WebExtractError"/> beside
/// the pages it did read; many URLs are split into calls of <see cref="ParallelWebOptions.UrlsPerExtract"/> that run
/// concurrently.
/// </summary>
/// <remarks>Thread-safe. Each attempt is cut after <see cref="ParallelWebOptions.AttemptTimeout"/>; a malformed body
/// is a transient failure and is retried like a 5xx.</remarks>
public sealed class ParallelWebClient
{
    /// <summary>The <c>parallel-beta</c> header's value.</summary>
    public const string BetaHeaderValue = "search-extract-2025-10-10";

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    private readonly ParallelWebOptions _options;
    private readonly ClientPipeline _pipeline;
    private readonly ResiliencePipeline _retry;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The API key and settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ParallelWebClient(ParallelWebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _retry = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }.AddSluiceRetry(options.Retry).Build();
        _pipeline = ClientPipeline.Create(new ClientPipelineOptions
        {
            RetryPolicy = new ClientRetryPolicy(0), // one retry layer: Sluice's
            Transport = new HttpClientPipelineTransport(options.HttpClient ?? SharedHttp.Value),
            NetworkTimeout = options.AttemptTimeout + TimeSpan.FromSeconds(10), // a backstop; the attempt timeout comes first
        });
    }

    /// <summary>Searches the web.</summary>
    /// <param name="request">What to search for.</param>
    /// <param name="cancellationToken">Cancels the call and its retries.</param>
    /// <returns>The results as documents, with <c>url</c>, <c>title</c>, <c>publish_date</c> and <c>search_id</c> metadata.</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is invalid; the message names the field.</exception>
    /// <exception cref="ParallelWebException">The call failed: at once for a permanent failure (400, 401, 403…), after
    /// <see cref="SluiceRetryOptions.MaxAttempts"/> attempts for a transient one.</exception>
    public Task<WebSearchResult> SearchAsync(WebSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        byte[] body = WriteJson(json =>
        {
            if (!string.IsNullOrWhiteSpace(request.Objective))
            {
                json.WriteString("objective", request.Objective);
            }

            if (request.SearchQueries is { Count: > 0 } queries)
            {
                json.WriteStartArray("search_queries");
                foreach (string query in queries)
                {
                    json.WriteStringValue(query);
                }

                json.WriteEndArray();
            }

            json.WriteNumber("max_results", request.MaxResults);
            if (request.MaxCharsPerResult is { } chars)
            {
                json.WriteNumber("max_chars_per_result", chars);
            }
        });
        return CallAsync("search", "v1beta/search", body, ParallelWebAnswers.ReadSearch, cancellationToken);
    }

    /// <summary>Extracts the content of web pages, split into concurrent calls of <see cref="ParallelWebOptions.UrlsPerExtract"/> URLs.</summary>
    /// <param name="urls">The pages' absolute http or https URLs.</param>
    /// <param name="request">What to extract; excerpts only when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels every call.</param>
    /// <returns>The pages read (with <c>url</c>, <c>title</c>, <c>publish_date</c>, <c>extract_id</c> metadata) and an
    /// error record per URL that could not be read: one the API reported, or every URL of a call that failed transiently
    /// after its retries (the other calls' pages are kept).</returns>
    /// <exception cref="ArgumentException"><paramref name="urls"/> is empty or holds an invalid URL; the message gives its index.</exception>
    /// <exception cref="ParallelWebException">A call failed permanently (400, 401, 403…): every call would, so the whole
    /// extract fails at once.</exception>
    public Task<WebExtractResult> ExtractAsync(IReadOnlyList<string> urls, WebExtractRequest? request = null, CancellationToken cancellationToken = default)
    {
        CheckUrls(urls);
        return ExtractAllAsync(urls, request ?? new WebExtractRequest(), cancellationToken);
    }

    private async Task<WebExtractResult> ExtractAllAsync(IReadOnlyList<string> urls, WebExtractRequest request, CancellationToken cancellationToken)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = urls.Count - 1; i >= 0; i--)
        {
            order[urls[i]] = i;
        }

        var documents = new List<WebDocument>();
        var errors = new List<WebExtractError>();
        var ids = new List<string>();
        var batch = new BatchOptions { MaxConcurrency = _options.MaxConcurrency, Ordered = true, TimeProvider = _options.TimeProvider };
        var calls = Batch.ProcessAsync(urls.Chunk(_options.UrlsPerExtract), (group, ct) => new ValueTask<ParallelWebAnswers.Extracted>(ExtractGroupAsync(group, request, ct)), batch, cancellationToken);
        await foreach (var call in calls.ConfigureAwait(false))
        {
            if (call.Succeeded)
            {
                documents.AddRange(call.Value!.Documents);
                errors.AddRange(call.Value.Errors);
                ids.Add(call.Value.ExtractId);
                continue;
            }

            if (call.Error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw call.Error;
            }

            if (call.Error is ParallelWebException { IsTransient: false } permanent)
            {
                throw permanent;
            }

            var web = call.Error as ParallelWebException;
            errors.AddRange(call.Input.Select(url => new WebExtractError(url, WebExtractError.CallFailedType, web?.StatusCode, call.Error!.Message, null, call.Error)));
        }

        return new WebExtractResult(
            [.. documents.OrderBy(d => order.GetValueOrDefault(d.Id, int.MaxValue))],
            [.. errors.OrderBy(e => order.GetValueOrDefault(e.Url, int.MaxValue))],
            ids);
    }

    private Task<ParallelWebAnswers.Extracted> ExtractGroupAsync(string[] urls, WebExtractRequest request, CancellationToken cancellationToken)
    {
        byte[] body = WriteJson(json =>
        {
            json.WriteStartArray("urls");
            foreach (string url in urls)
            {
                json.WriteStringValue(url);
            }

            json.WriteEndArray();
            if (!string.IsNullOrWhiteSpace(request.Objective))
            {
                json.WriteString("objective", request.Objective);
            }

            json.WriteBoolean("excerpts", request.Excerpts);
            json.WriteBoolean("full_content", request.FullContent);
        });
        return CallAsync("extract", "v1beta/extract", body, ParallelWebAnswers.ReadExtract, cancellationToken);
    }

    private async Task<T> CallAsync<T>(string operation, string path, byte[] body, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        int attempts = 0;
        try
        {
            return await _retry.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await AttemptAsync(operation, path, body, read, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ParallelWebException error)
        {
            error.Attempts = Volatile.Read(ref attempts);
            throw;
        }
    }

    private async ValueTask<T> AttemptAsync<T>(string operation, string path, byte[] body, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.AttemptTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using PipelineMessage message = _pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(_options.BaseAddress, path);
        message.Request.Headers.Set("x-api-key", _options.ApiKey);
        message.Request.Headers.Set("parallel-beta", BetaHeaderValue);
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Headers.Set("Accept", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(body));
        message.Apply(new RequestOptions { CancellationToken = linked.Token });
        try
        {
            await _pipeline.SendAsync(message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error) when (deadline.IsCancellationRequested)
        {
            throw new ParallelWebException(operation, null,
                $"The {operation} call got no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s (ParallelWebOptions.AttemptTimeout).",
                new TimeoutException($"No answer within {_options.AttemptTimeout.TotalSeconds:0.###} s.", error));
        }
        catch (Exception error)
        {
            throw new ParallelWebException(operation, null, $"The {operation} call failed before an answer came: {error.Message}", error);
        }

        PipelineResponse response = message.Response!;
        if (response.IsError)
        {
            // The body goes into the inner exception's message: Sluice's classifier reads codes such as insufficient_quota there.
            string content = response.Content.ToString();
            var inner = new ClientResultException(
                $"Status: {response.Status} ({response.ReasonPhrase}). Content: {(content.Length <= 1_000 ? content : content[..1_000] + "…")}", response);
            throw new ParallelWebException(operation, response.Status,
                $"The {operation} call was answered {response.Status}: {ParallelWebAnswers.ErrorMessage(response.Content)}", inner);
        }

        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            return read(json.RootElement);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException)
        {
            throw new ParallelWebException(operation, response.Status,
                $"The {operation} answer ({response.Status}) could not be read: {error.Message}",
                error as JsonException ?? new JsonException(error.Message, error));
        }
    }

    private static void CheckUrls(IReadOnlyList<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0)
        {
            throw new ArgumentException("urls is empty; give at least one URL to extract.", nameof(urls));
        }

        for (int i = 0; i < urls.Count; i++)
        {
            if (!Uri.TryCreate(urls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"urls[{i}] ('{urls[i]}') is not an absolute http or https URL.", nameof(urls));
            }
        }
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
