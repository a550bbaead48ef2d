namespace Sluice.AI;

/// <summary>
/// Sluice's whole throughput stack for raw HTTP requests to an OpenAI-compatible endpoint, as a
/// <see cref="DelegatingHandler"/>: usage accounting → retry → concurrency → rate budget → attempt timeout, the same
/// layers and the same lane as the chat and embedding clients. For callers that hold request bodies as bytes (an
/// OpenAI Batch API file) and must send them unchanged: every attempt carries exactly the caller's body bytes. A body
/// given as <see cref="BodyBytesContent"/> is read as it is; any other content is buffered once.
/// </summary>
/// <remarks>
/// <para>The handler buffers each response. It never throws for an HTTP status: a success returns at once; a 429, a
/// 408, a 409 the provider marks retryable or a 5xx is retried (Retry-After honoured) and, once the attempts are
/// spent, the last such response is returned with its status, headers and body; any other status (a 400) returns at
/// once. It throws only when there is no answer: an <see cref="AttemptTimeoutException"/> when the last attempt timed
/// out, an <see cref="HttpRequestException"/> when the connection failed, and <see cref="OperationCanceledException"/>
/// when the caller cancelled.</para>
/// <para>Token budgets are drawn from the body (<see cref="TokenEstimator.CountRequest(ReadOnlySpan{byte})"/>: the
/// prompt plus <c>max_tokens</c>, else the lane's expected output) and settled with the response's <c>usage</c>;
/// <c>x-ratelimit-*</c> headers teach the budget the provider's limits, and a 429 pauses the lane.</para>
/// </remarks>
public sealed class SluiceThroughputHandler : DelegatingHandler
{
    private readonly ThroughputParts _parts;
    private readonly ConcurrencySlot _slot;
    private readonly BudgetAccount _account;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> before use (or let
    /// <c>IHttpClientFactory</c> do it).</summary>
    /// <param name="lane">The lane whose budget, limit and estimator to use; <see langword="null"/> for a lane of the
    /// handler's own, opened from <paramref name="options"/>.</param>
    /// <param name="options">Retries, attempt timeout, clock, and the budget and limit of a lane of its own; defaults
    /// when <see langword="null"/>. <see cref="SluiceClientOptions.HttpClient"/> is not used.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public SluiceThroughputHandler(ProviderLane? lane = null, SluiceClientOptions? options = null)
    {
        _parts = ThroughputParts.Create(lane, options ?? new SluiceClientOptions());
        _slot = new ConcurrencySlot(_parts.Lane.Concurrency, _parts.Ledger, _parts.Time, "http");
        _account = new BudgetAccount(_parts.Lane.Budget, _parts.Lane.Estimator, _parts.Ledger, _parts.Time, _parts.MaxPause);
    }

    /// <summary>Creates the handler over <paramref name="innerHandler"/>.</summary>
    /// <param name="innerHandler">The handler that sends (usually a <see cref="SocketsHttpHandler"/>).</param>
    /// <param name="lane">The lane; <see langword="null"/> for one of the handler's own.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public SluiceThroughputHandler(HttpMessageHandler innerHandler, ProviderLane? lane = null, SluiceClientOptions? options = null)
        : this(lane, options)
    {
        ArgumentNullException.ThrowIfNull(innerHandler);
        InnerHandler = innerHandler;
    }

    /// <summary>The request option that stops a request while it waits — for a concurrency slot, for budget, or between
    /// attempts — but never cuts an attempt already sent: set it on a request
    /// (<c>request.Options.Set(SluiceThroughputHandler.StopWaiting, token)</c>) so that a run asked to stop sends nothing
    /// new. A request stopped this way throws <see cref="OperationCanceledException"/>.</summary>
    public static readonly HttpRequestOptionsKey<CancellationToken> StopWaiting = new("Sluice.StopWaiting");

    /// <summary>Gets the totals of every request through this handler: calls, attempts, retries, 429s, tokens.</summary>
    public UsageLedger Ledger => _parts.Ledger;

    /// <summary>Gets the lane the handler draws from (its budget and its concurrency limit, e.g. for
    /// <see cref="ConcurrencyLimit.CurrentLimit"/>).</summary>
    public ProviderLane Lane => _parts.Lane;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ReadOnlyMemory<byte>? body = request.Content switch
        {
            null => null,
            BodyBytesContent bytes => bytes.Body, // the caller's bytes as they are: no buffered copy
            var content => await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
        };
        var (estimate, reserved) = _account.EstimateRequest(body.GetValueOrDefault().Span);
        using var stopWaiting = request.Options.TryGetValue(StopWaiting, out var stop) && stop.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop)
            : null;
        try
        {
            var response = await _parts.Retry.ExecuteAsync(
                static (state, ct) => state.Handler.AttemptAsync(state.Request, state.Body, state.Estimate, state.Reserved, ct, state.Caller),
                (Handler: this, Request: request, Body: body, Estimate: estimate, Reserved: reserved, Caller: cancellationToken),
                stopWaiting?.Token ?? cancellationToken).ConfigureAwait(false);
            _parts.Ledger.CountCall(true);
            return response;
        }
        catch (FailedResponseException failed)
        {
            _parts.Ledger.CountCall(false);
            return failed.ToResponse(request);
        }
        catch
        {
            _parts.Ledger.CountCall(false);
            throw;
        }
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{nameof(SluiceThroughputHandler)} sends asynchronously only; use SendAsync.");

    /// <summary>One attempt: <paramref name="waiting"/> (the caller's token, or it linked with <see cref="StopWaiting"/>)
    /// governs the waits for a slot and for budget; <paramref name="caller"/> alone governs the send.</summary>
    private async ValueTask<HttpResponseMessage> AttemptAsync(HttpRequestMessage original, ReadOnlyMemory<byte>? body, TokenCost estimate, int? reserved, CancellationToken waiting, CancellationToken caller)
    {
        CancellationToken cancellationToken = waiting;
        long started = await _slot.EnterAsync(cancellationToken).ConfigureAwait(false);
        var wait = SlotWait.Open();
        try
        {
            await _account.DrawAsync(estimate, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            byte[] bytes;
            try
            {
                (response, bytes) = await SendOnceAsync(original, body, caller).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _account.OnFailure(ex);
                throw;
            }

            var (input, output) = ResponseUsage.Read(bytes);
            AiMetrics.Tokens(_parts.Ledger, input, output);
            _account.Settle(estimate, input, output, reserved);
            _slot.Succeeded(started, wait, output);
            return response;
        }
        catch (Exception ex)
        {
            _slot.Failed(started, wait, ex, cancellationToken);
            throw;
        }
    }

    /// <summary>One attempt under the attempt timeout: a copy of the request with the same body bytes, the response
    /// buffered; a status other than success is thrown as a <see cref="FailedResponseException"/>.</summary>
    private async Task<(HttpResponseMessage Response, byte[] Body)> SendOnceAsync(HttpRequestMessage original, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        using var deadline = new AttemptDeadline(_parts.Timeout, _parts.Time, cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            using (var attempt = Copy(original, body))
            {
                response = await base.SendAsync(attempt, deadline.Token).ConfigureAwait(false);
            }

            byte[] bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (RateLimitHeaders.Parse(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null) is { } headers)
            {
                _account.Budget.Observe(headers);
            }

            if (response.IsSuccessStatusCode)
            {
                return (response, bytes);
            }

            var failed = new FailedResponseException(response, bytes);
            response.Dispose();
            throw failed;
        }
        catch (Exception ex) when (deadline.Expired(ex))
        {
            response?.Dispose();
            throw deadline.ToTimeout();
        }
        catch (Exception ex) when (ex is not FailedResponseException)
        {
            response?.Dispose();
            throw;
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, ReadOnlyMemory<byte>? body)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
        };
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (original.Content is not null)
        {
            copy.Content = new BodyBytesContent(body.GetValueOrDefault());
            foreach (var header in original.Content.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
        }

        return copy;
    }
}
