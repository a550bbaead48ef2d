using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Sluice.AI;
using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>
/// Runs one OpenAI Batch API file against an OpenAI-compatible endpoint (<c>sluice run</c>): validates the whole file
/// first, checks the manifest on <c>--resume</c>, sends every request that the journal does not record as done through
/// the engine, journals each result as it completes, and finally renames the output and errors files into place, each
/// <c>custom_id</c> once (the last record wins). A fresh run in completion order writes them as its records become
/// durable; a resume or <c>--ordered</c> assembles them from the journal at the end.
/// </summary>
/// <remarks>
/// The HTTP client decides how requests are sent: give it one from
/// <see cref="OpenAICompatible.CreateHttpClient(Uri, string, string, SluiceClientOptions?)"/> for Sluice's retries,
/// limits and budget. The runner sends each body's bytes exactly as the file holds them (to <c>chat/completions</c> or
/// <c>embeddings</c> relative to the client's base address) and never throws for a failed item: the item's result
/// goes to the errors file.
/// </remarks>
public sealed class BatchFileRunner
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly BatchRunOptions _options;
    private readonly Lock _costLock = new();
    private long _started;
    private long _resumed;
    private long _succeeded;
    private long _failed;
    private long _inFlight;
    private long _notSent;
    private long _inputTokens;
    private long _outputTokens;
    private long? _total;
    private decimal _cost;
    private decimal _reserved;
    private decimal _earlierCost;
    private bool _costKnown = true;
    private volatile bool _costLimitReached;
    private RunJournal? _journal;
    private RunTimeline? _timeline;
    private CompletedItems? _completed;
    private Dictionary<UInt128, int> _repeats = [];

    /// <summary>Creates a runner.</summary>
    /// <param name="http">The client that sends; its base address is the API base, <c>/v1</c> included, with a trailing slash.</param>
    /// <param name="options">The run's options.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public BatchFileRunner(HttpClient http, BatchRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Validate();
        Directory = RunDirectory.ForOutput(options.OutputPath);
        ErrorsPath = options.ErrorsPath ?? Directory.DefaultErrorsPath;
    }

    /// <summary>Gets the run's files.</summary>
    public RunDirectory Directory { get; }

    /// <summary>Gets the errors file's path.</summary>
    public string ErrorsPath { get; }

    /// <summary>Gets whether <see cref="BatchRunOptions.MaxCost"/> stopped admission.</summary>
    public bool CostLimitReached => _costLimitReached;

    /// <summary>The counts now; safe to call from any thread while the run goes on.</summary>
    /// <returns>The counts.</returns>
    public BatchRunSnapshot Snapshot()
    {
        long started = Interlocked.Read(ref _started);
        decimal? cost;
        lock (_costLock)
        {
            cost = _costKnown ? _cost : null;
        }

        long succeeded = Interlocked.Read(ref _succeeded), failed = Interlocked.Read(ref _failed), resumed = Interlocked.Read(ref _resumed);
        return new BatchRunSnapshot
        {
            Total = _total,
            Resumed = resumed,
            Done = resumed + succeeded + failed,
            Succeeded = succeeded,
            Failed = failed,
            NotSent = Interlocked.Read(ref _notSent),
            InFlight = _options.ConcurrencyLimit is { } limit ? limit.InUse : Interlocked.Read(ref _inFlight),
            ConcurrencyLimit = _options.ConcurrencyLimit?.CurrentLimit ?? 0,
            Retries = _options.Ledger?.Retries ?? 0,
            RateLimited = _options.Ledger?.RateLimited ?? 0,
            CacheHits = _options.Cache?.Hits ?? 0,
            InputTokens = Interlocked.Read(ref _inputTokens),
            OutputTokens = Interlocked.Read(ref _outputTokens),
            Cost = cost,
            Elapsed = started == 0 ? TimeSpan.Zero : _options.TimeProvider.GetElapsedTime(started),
        };
    }

    /// <summary>Validates the input and, when it is valid (or <see cref="BatchRunOptions.SkipInvalid"/>), runs it.</summary>
    /// <param name="stop">Asks the run to stop admitting work: what is in flight gets
    /// <see cref="BatchRunOptions.DrainTimeout"/> to finish, is journalled, and the run returns
    /// <see cref="BatchRunOutcome.Interrupted"/> without writing the output files.</param>
    /// <param name="cancellationToken">Stops at once: what is in flight is abandoned (and sent again on resume).</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="BatchRunRefusedException">An earlier run's directory without resume, a resume with a different
    /// configuration, or a cost limit that cannot be applied.</exception>
    /// <exception cref="BatchFileFormatException">The journal is damaged (other than a torn last line).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<BatchRunResult> RunAsync(CancellationToken stop = default, CancellationToken cancellationToken = default)
    {
        var time = _options.TimeProvider;
        Interlocked.Exchange(ref _started, time.GetTimestamp());
        var reader = new BatchInputReader(_options.InputPath, _options.Input);
        Directory.Create();
        using var runLock = LockRunDirectory();
        var report = await reader.ValidateAsync(cancellationToken).ConfigureAwait(false);
        if (!report.IsValid)
        {
            await using (var errors = new FileStream(Directory.InputErrorsPath, FileMode.Create, FileAccess.Write))
            {
                await report.WriteErrorsAsync(errors, cancellationToken).ConfigureAwait(false);
            }

            if (!_options.SkipInvalid)
            {
                return Result(BatchRunOutcome.InvalidInput, report, resumed: false);
            }
        }

        CheckCostLimit(report);
        bool resumed = await CheckManifestAsync(cancellationToken).ConfigureAwait(false);
        _completed = await RunJournalReader.ReadCompletedAsync(
            Directory.JournalPath, new JournalReadOptions { RetryErrors = _options.RetryErrors }, cancellationToken).ConfigureAwait(false);
        _repeats = _completed.Repeats;
        Interlocked.Exchange(ref _resumed, _completed.Count);
        _total = report.ValidCount;
        if (_options.MaxCost is not null && resumed)
        {
            _earlierCost = await EarlierSpendAsync(report.Model!, cancellationToken).ConfigureAwait(false);
        }

        bool finished;
        // A fresh run in completion order writes its output files as it goes; any other run assembles them at the end.
        await using var following = _options.Ordered || resumed ? null : new CompletionOrderOutput(Directory.OutputPath, ErrorsPath);
        await using (_journal = RunJournal.Open(Directory.JournalPath, _options.Journal, following))
        {
            if (_options.SkipInvalid && !report.IsValid)
            {
                await JournalInvalidLinesAsync(reader, cancellationToken).ConfigureAwait(false);
            }

            await using (_timeline = await StartTimelineAsync(cancellationToken).ConfigureAwait(false))
            using (_timeline is not null && _http.BaseAddress is { } endpoint ? new HttpAttemptListener(endpoint, _timeline.AttemptLatency) : null)
            {
                finished = await SendAllAsync(reader, stop, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!finished)
        {
            await WriteSummaryAsync(BatchRunOutcome.Interrupted, null, cancellationToken).ConfigureAwait(false);
            return Result(BatchRunOutcome.Interrupted, report, resumed);
        }

        var (outputLines, errorLines) = await WriteOutputFilesAsync(following, _costLimitReached ? WriteNotSentAsync : null, cancellationToken).ConfigureAwait(false);
        var outcome = errorLines == 0 ? BatchRunOutcome.Succeeded : BatchRunOutcome.CompletedWithFailures;
        await WriteSummaryAsync(outcome, (outputLines, errorLines), cancellationToken).ConfigureAwait(false);
        return Result(outcome, report, resumed);

        async Task<long> WriteNotSentAsync(BatchOutputFile errors)
        {
            var done = await RunJournalReader.ReadCompletedAsync(Directory.JournalPath, null, cancellationToken).ConfigureAwait(false);
            long count = 0;
            string message = $"not sent: the run stopped admitting work at --max-cost {_options.MaxCost} dollars; resume with a higher limit to send it";
            await foreach (var request in ResumePlan.RemainingAsync(reader, done, cancellationToken).ConfigureAwait(false))
            {
                await errors.WriteAsync(BatchResult.FromError(request.CustomId, new BatchResultError(BatchErrorCodes.CostLimitReached, message)), cancellationToken).ConfigureAwait(false);
                count++;
            }

            Interlocked.Exchange(ref _notSent, count);
            return count;
        }
    }

    /// <summary>The output and errors files, renamed into place: the ones written during the run when they could be
    /// written and committed (<see cref="CompletionOrderOutput"/>), else assembled from the journal, which holds every
    /// result whatever happened to them.</summary>
    private async Task<(long Output, long Errors)> WriteOutputFilesAsync(CompletionOrderOutput? following, Func<BatchOutputFile, Task<long>>? writeMore, CancellationToken cancellationToken)
    {
        if (following is not null)
        {
            try
            {
                if (!following.Faulted)
                {
                    return await following.CommitAsync(writeMore, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Assembled below; if the disk itself is the problem, the assembler reports it.
            }

            await following.DisposeAsync().ConfigureAwait(false); // its temporary files are the assembler's too
        }

        return await OutputAssembler.WriteAsync(
            Directory.JournalPath, Directory.OutputPath, ErrorsPath, _options.Ordered, _repeats, writeMore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run's timeline (<c>timeline.jsonl</c>), or <see langword="null"/> when it cannot be opened: a
    /// diagnostic never stops a run.</summary>
    private async Task<RunTimeline?> StartTimelineAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunTimeline.StartAsync(Directory.TimelinePath, Snapshot, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>One run per run directory at a time (<see cref="RunLock"/>): two would send the same items and interleave the journal.</summary>
    private RunLock LockRunDirectory() =>
        RunLock.TryAcquire(Directory.Path, out var runLock)
            ? runLock
            : throw new BatchRunRefusedException($"another sluice run is using {Directory.Path} (it holds {RunLock.PathIn(Directory.Path)}); wait for it to end, or stop it.");

    private BatchRunResult Result(BatchRunOutcome outcome, BatchValidationReport report, bool resumed) => new()
    {
        Outcome = outcome,
        Counts = Snapshot(),
        Validation = report,
        Directory = Directory,
        ErrorsPath = ErrorsPath,
        Resumed = resumed,
    };

    private void CheckCostLimit(BatchValidationReport report)
    {
        if (_options.MaxCost is null)
        {
            return;
        }

        if (report.Model is null || !_options.Prices!.TryGetPrice(report.Model, out _))
        {
            string model = report.Model is null ? "the requests name no model" : $"model '{report.Model}' has no price";
            throw new BatchRunRefusedException($"--max-cost cannot be applied: {model} in the price table; add it to the --prices file.");
        }
    }

    /// <summary>Refuses a directory of an earlier run without resume, or a resume whose configuration changed; writes
    /// the manifest of a new run. Returns whether an earlier run is continued.</summary>
    private async Task<bool> CheckManifestAsync(CancellationToken cancellationToken)
    {
        var current = await RunManifest.CreateAsync(_options.InputPath, _options.Settings, _options.TimeProvider, cancellationToken: cancellationToken).ConfigureAwait(false);
        bool hasJournal = File.Exists(Directory.JournalPath) && new FileInfo(Directory.JournalPath).Length > 0;
        bool hasManifest = File.Exists(Directory.ManifestPath);
        if (!hasJournal && !hasManifest)
        {
            await current.WriteAsync(Directory.ManifestPath, cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (!_options.Resume)
        {
            throw new BatchRunRefusedException(
                $"{Directory.Path} holds an earlier run of this output. Add --resume to continue it (nothing it finished is sent again), or delete that directory to start over.");
        }

        if (!hasManifest)
        {
            throw new BatchRunRefusedException($"{Directory.Path} has a journal but no manifest.json, so a resume cannot be checked; delete the directory to start over.");
        }

        var previous = await RunManifest.ReadAsync(Directory.ManifestPath, cancellationToken).ConfigureAwait(false);
        var changes = RunManifest.Compare(previous, current);
        if (changes.Count > 0)
        {
            throw new BatchRunRefusedException(
                $"--resume refused: the configuration differs from the run recorded in {Directory.ManifestPath}. Use the earlier settings, or delete the run directory to start over.",
                changes);
        }

        return true;
    }

    /// <summary>With <c>--skip-invalid</c>: journals each invalid line that has a <c>custom_id</c> of its own (not a
    /// duplicate) as a failure, once, so it reaches the errors file and a resume does not journal it again.</summary>
    private async Task JournalInvalidLinesAsync(BatchInputReader reader, CancellationToken cancellationToken)
    {
        await foreach (var line in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (line.IsValid || line.CustomId is null || line.Errors.Any(e => e.Code == BatchInputErrorCodes.DuplicateCustomId))
            {
                continue;
            }

            _total++;
            if (_completed!.HasRecord(line.CustomId))
            {
                continue;
            }

            string message = string.Join("; ", line.Errors.Select(e => e.Param is null ? e.Message : $"{e.Param}: {e.Message}"));
            var result = BatchResult.FromError(line.CustomId, new BatchResultError(BatchErrorCodes.InvalidInputLine, $"line {line.LineNumber}: {message}"));
            await _journal!.AppendAsync(result, line.LineNumber, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>Sends what remains; returns <see langword="false"/> when a stop left work undone.</summary>
    private async Task<bool> SendAllAsync(BatchInputReader reader, CancellationToken stop, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var drainTimer = _options.TimeProvider.CreateTimer(static state => CancelQuietly((CancellationTokenSource)state!), abort, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var drain = stop.Register(() => drainTimer.Change(_options.DrainTimeout, Timeout.InfiniteTimeSpan));
        var admission = new Admission();
        var source = AdmitAsync(ResumePlan.RemainingAsync(reader, _completed!, abort.Token), admission, stop);
        var engine = new BatchOptions { MaxConcurrency = _options.MaxInFlight, Ordered = false, TimeProvider = _options.TimeProvider };
        long skipped = 0;
        try
        {
            await foreach (var item in Batch.ProcessAsync<Admitted, bool>(source, (admitted, ct) => SendAsync(admitted, stop, ct), engine, abort.Token).ConfigureAwait(false))
            {
                if (item.Error is { } error and not OperationCanceledException)
                {
                    // The item's own failures are results; this is the run's (the journal could not be written,
                    // say a full disk): sending more would pay for answers that cannot be kept.
                    await abort.CancelAsync().ConfigureAwait(false);
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }

                if (!item.Succeeded || !item.Value)
                {
                    skipped++; // not started because of the stop, or abandoned: sent again on resume
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false; // the drain time ran out: what was still in flight is sent again on resume
        }

        return admission.Exhausted && skipped == 0;
    }

    /// <summary>The drain timer may fire as the run ends and its source is disposed: nothing is left to cancel then.</summary>
    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Whether admission reached the end of the plan (or the cost limit), rather than a stop.</summary>
    private sealed class Admission
    {
        public bool Exhausted { get; set; }
    }

    /// <summary>A request let in, with the spend reserved for it under <see cref="BatchRunOptions.MaxCost"/> (0 without one),
    /// released once when it ends.</summary>
    private readonly record struct Admitted(BatchRequest Request, decimal Reserved);

    private async IAsyncEnumerable<Admitted> AdmitAsync(IAsyncEnumerable<BatchRequest> plan, Admission admission, CancellationToken stop, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var request in plan.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (stop.IsCancellationRequested)
            {
                yield break;
            }

            decimal expected = 0;
            if (_options.MaxCost is { } limit)
            {
                expected = ExpectedCost(request);
                decimal elsewhere = _options.SpendElsewhere?.Invoke() ?? 0;
                lock (_costLock)
                {
                    if (elsewhere + _earlierCost + _cost + _reserved + expected > limit)
                    {
                        _costLimitReached = true;
                    }
                    else
                    {
                        _reserved += expected;
                    }
                }

                if (_costLimitReached)
                {
                    admission.Exhausted = true; // the rest is listed as not sent
                    yield break;
                }
            }

            yield return new Admitted(request, expected);
        }

        admission.Exhausted = true;
    }

    /// <summary>What the runs before this resume spent, from the usage in the journal's successes: the cost limit
    /// holds across resumes, not per run. (A success the cache answered counts too: the limit errs on the safe side.)</summary>
    private async Task<decimal> EarlierSpendAsync(string model, CancellationToken cancellationToken)
    {
        if (!_options.Prices!.TryGetPrice(model, out var price))
        {
            return 0;
        }

        decimal spent = 0;
        await foreach (var record in RunJournalReader.ReadAsync(Directory.JournalPath, cancellationToken).ConfigureAwait(false))
        {
            if (record.Outcome == JournalOutcome.Succeeded && record.ToResult().Response is { } response)
            {
                var (input, output) = ResponseUsage.Read(response.Body.Span);
                spent += price.Cost(input ?? 0, output ?? 0);
            }
        }

        return spent;
    }

    private decimal ExpectedCost(BatchRequest request)
    {
        var count = TokenEstimator.CountRequest(request.Body.Span);
        long output = count.IsEmbedding ? 0 : count.MaxOutputTokens ?? BatchEstimate.DefaultExpectedOutputTokens;
        return _options.Prices!.TryGetPrice(request.Model, out var price) ? price.Cost(count.InputTokens, output) : 0;
    }

    /// <summary>One item: from the cache or over HTTP, then journalled. Returns <see langword="false"/> for an item not
    /// started because a stop came first (it is not journalled).</summary>
    private async ValueTask<bool> SendAsync(Admitted admitted, CancellationToken stop, CancellationToken cancellationToken)
    {
        var request = admitted.Request;
        try
        {
            if (stop.IsCancellationRequested)
            {
                return false;
            }

            Interlocked.Increment(ref _inFlight);
            try
            {
                if (await ResultOfAsync(request, stop, cancellationToken).ConfigureAwait(false) is not { } result)
                {
                    return false; // the stop came while it waited for a slot, budget or a retry: sent again on resume
                }

                if (_completed!.HasRecord(request.CustomId))
                {
                    lock (_repeats)
                    {
                        var key = CustomIdKey.Of(request.CustomId);
                        _repeats[key] = _repeats.GetValueOrDefault(key, 1) + 1;
                    }
                }

                await _journal!.AppendAsync(result, request.LineNumber, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref result.Succeeded ? ref _succeeded : ref _failed);
                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
        finally
        {
            if (admitted.Reserved != 0)
            {
                lock (_costLock)
                {
                    _reserved -= admitted.Reserved;
                }
            }
        }
    }

    /// <summary>The item's result, or <see langword="null"/> when a stop came before its request was on the wire.</summary>
    private async ValueTask<BatchResult?> ResultOfAsync(BatchRequest request, CancellationToken stop, CancellationToken cancellationToken)
    {
        if (await FromCacheAsync(request, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return BatchResult.FromResponse(request.CustomId, cached);
        }

        try
        {
            using var content = new BodyBytesContent(request.Body); // read as it is by Sluice's handler, not buffered again
            content.Headers.ContentType = Json;
            using var message = new HttpRequestMessage(HttpMethod.Post, request.Endpoint == BatchEndpoint.Embeddings ? "embeddings" : "chat/completions") { Content = content };
            message.Options.Set(SluiceThroughputHandler.StopWaiting, stop);
            long sent = _options.TimeProvider.GetTimestamp();
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            // The request's latency as the run sees it: from the client taking it to its final answer, waits for a
            // slot or budget and retries included (a cache hit sends nothing and is not counted).
            _timeline?.RecordLatency(_options.TimeProvider.GetElapsedTime(sent));
            // OpenAI's output carries a request_id string on every response; a provider that sends no x-request-id
            // (vLLM, the simulator) gets one of ours, as vLLM's run_batch does, so readers of OpenAI's shape never meet null.
            string requestId = response.Headers.TryGetValues("x-request-id", out var ids) && ids.FirstOrDefault() is { Length: > 0 } id
                ? id
                : "req_sluice_" + BatchResult.RandomHex(12);
            var answer = new BatchResponse((int)response.StatusCode, requestId, body);
            if (response.IsSuccessStatusCode)
            {
                Account(request, body);
                await ToCacheAsync(request, answer, cancellationToken).ConfigureAwait(false);
            }

            return BatchResult.FromResponse(request.CustomId, answer);
        }
        catch (AttemptTimeoutException ex)
        {
            return BatchResult.FromError(request.CustomId, new BatchResultError(BatchErrorCodes.RequestTimeout, ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            return BatchResult.FromError(request.CustomId, new BatchResultError(BatchErrorCodes.ConnectionFailed, $"no answer from the endpoint: {ex.Message}"));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return BatchResult.FromError(request.CustomId, new BatchResultError(BatchErrorCodes.RequestFailed, $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    /// <summary>A cache that cannot be read (permissions, a bad disk) is a miss, never a lost item.</summary>
    private async ValueTask<BatchResponse?> FromCacheAsync(BatchRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return _options.Cache is { } cache ? await cache.TryGetAsync(request, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A cache that cannot be written loses the cache entry, never the paid answer.</summary>
    private async ValueTask ToCacheAsync(BatchRequest request, BatchResponse answer, CancellationToken cancellationToken)
    {
        try
        {
            if (_options.Cache is { } cache)
            {
                await cache.PutAsync(request, answer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Account(BatchRequest request, byte[] body)
    {
        var (input, output) = ResponseUsage.Read(body);
        Interlocked.Add(ref _inputTokens, input ?? 0);
        Interlocked.Add(ref _outputTokens, output ?? 0);
        lock (_costLock)
        {
            if (_options.Prices is { } prices && prices.TryGetPrice(request.Model, out var price))
            {
                _cost += price.Cost(input ?? 0, output ?? 0);
            }
            else
            {
                _costKnown = false;
            }
        }
    }

    private Task WriteSummaryAsync(BatchRunOutcome outcome, (long Output, long Errors)? lines, CancellationToken cancellationToken) =>
        Directory.WriteSummaryAsync(outcome, _options.InputPath, ErrorsPath, lines?.Output, lines?.Errors, Snapshot(), cancellationToken);
}
