using System.Runtime.CompilerServices;
using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>
/// Reads an OpenAI Batch API input file (<c>{"custom_id", "method", "url", "body"}</c> per line), streaming, in memory
/// that does not grow with the file: one line, plus the duplicate check's sort runs (at most 3 MiB; larger files spill
/// sorted runs of <c>custom_id</c> keys to a temporary directory) and the duplicates found. The reader remembers the
/// duplicate <c>custom_id</c>s once found: <see cref="ValidateAsync"/> finds them in its own pass, a first
/// <see cref="ReadAsync"/> without it in a pass of its own. Each enumeration reads the file again from the start.
/// </summary>
/// <remarks>
/// Lenient where vLLM's files differ from OpenAI's: a missing <c>method</c> means <c>POST</c>, and <c>url</c> may
/// omit the <c>/v1</c> prefix or the leading slash. Blank lines, a UTF-8 byte order mark, CRLF line ends and a last
/// line without a line end are accepted. Line numbers count every physical line, blank ones included.
/// </remarks>
public sealed class BatchInputReader
{
    private Dictionary<long, long>? _duplicates;

    /// <summary>Creates a reader of the file at <paramref name="path"/>.</summary>
    /// <param name="path">The input file.</param>
    /// <param name="options">Validation options; <see langword="null"/> for the defaults.</param>
    public BatchInputReader(string path, BatchInputOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        Options = options ?? new BatchInputOptions();
    }

    /// <summary>The input file's path.</summary>
    public string Path { get; }

    /// <summary>The validation options.</summary>
    public BatchInputOptions Options { get; }

    /// <summary>Reads every non-blank line in file order, valid or not, each with all of its errors.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The lines, lazily.</returns>
    public async IAsyncEnumerable<BatchInputLine> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var duplicates = _duplicates ??= await FindDuplicatesAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var line in ReadCoreAsync(duplicates, null, requests: true, cancellationToken).ConfigureAwait(false))
        {
            yield return line;
        }
    }

    /// <summary>The lines, with <paramref name="duplicates"/> taken as the file's duplicate lines; every id seen goes to
    /// <paramref name="finder"/> when one is given. Without <paramref name="requests"/> (validation), a valid line
    /// carries no <see cref="BatchRequest"/>, only its endpoint and model: its body is not copied.</summary>
    private async IAsyncEnumerable<BatchInputLine> ReadCoreAsync(Dictionary<long, long> duplicates, DuplicateFinder? finder, bool requests, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? expectedUrl = null;
        string? expectedModel = null;
        using var lines = new JsonLineReader(JsonLineReader.OpenRead(Path));
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            if (JsonLineReader.IsBlank(lines.Line.Span))
            {
                continue;
            }

            long number = lines.LineNumber;
            var errors = new List<BatchInputError>(0);
            var parsed = RequestLineParser.Parse(lines.Line.Span);
            if (parsed.JsonError is { } jsonError)
            {
                errors.Add(new(BatchInputErrorCodes.InvalidJsonLine, number, $"This line is not parseable as valid JSON: {jsonError}.", null));
                yield return new BatchInputLine(number, null, errors);
                continue;
            }

            if (finder is not null && parsed.CustomId is { Length: > 0 } id)
            {
                finder.Add(CustomIdKey.Of(id), number);
            }

            CheckCustomId(ref parsed, number, duplicates, errors);
            BatchEndpoint endpoint = CheckUrlAndMethod(ref parsed, number, ref expectedUrl, errors);
            if (!parsed.HasBody)
            {
                errors.Add(new(BatchInputErrorCodes.MissingRequiredParameter, number, "Missing required parameter 'body': expected the request body as a JSON object.", "body"));
            }
            else if (!parsed.BodyIsObject)
            {
                errors.Add(new(BatchInputErrorCodes.InvalidValue, number, "Invalid 'body': expected a JSON object.", "body"));
            }
            else if (parsed.Model is { } model && Options.RequireSingleModel)
            {
                if (expectedModel is null && errors.Count == 0)
                {
                    expectedModel = model;
                }
                else if (expectedModel is not null && !string.Equals(model, expectedModel, StringComparison.Ordinal))
                {
                    errors.Add(new(BatchInputErrorCodes.ModelMismatch, number, $"The model '{model}' differs from the model of the other lines, '{expectedModel}': every line must use one model.", "body.model"));
                }
            }

            if (errors.Count > 0)
            {
                yield return new BatchInputLine(number, parsed.CustomId, errors);
            }
            else if (requests)
            {
                yield return new BatchInputLine(number, new BatchRequest(number, parsed.CustomId!, endpoint, parsed.Model, lines.Line.Slice(parsed.BodyStart, parsed.BodyLength).ToArray()));
            }
            else
            {
                yield return new BatchInputLine(number, parsed.CustomId!, endpoint, parsed.Model);
            }
        }
    }

    /// <summary>The <c>body.model</c> of the first line that names one, read without a pass over the whole file (for
    /// naming a provider lane before validation).</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The model, or <see langword="null"/> when no line names one.</returns>
    public async Task<string?> ReadFirstModelAsync(CancellationToken cancellationToken = default)
    {
        using var lines = new JsonLineReader(JsonLineReader.OpenRead(Path));
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!JsonLineReader.IsBlank(lines.Line.Span) && RequestLineParser.Parse(lines.Line.Span) is { JsonError: null, Model: { Length: > 0 } model })
            {
                return model;
            }
        }

        return null;
    }

    /// <summary>Reads the valid requests in file order, skipping invalid lines.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The requests, lazily.</returns>
    public async IAsyncEnumerable<BatchRequest> ReadRequestsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var line in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (line.Request is { } request)
            {
                yield return request;
            }
        }
    }

    /// <summary>Reads the whole file and reports every bad line, up to <see cref="BatchInputOptions.MaxReportedErrors"/> errors.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The report.</returns>
    /// <remarks>When the duplicates are not known yet, validation finds them in the same pass, and reads the file a second
    /// time only when there are some.</remarks>
    public async Task<BatchValidationReport> ValidateAsync(CancellationToken cancellationToken = default)
    {
        if (_duplicates is { } known)
        {
            return await ValidateLinesAsync(ReadCoreAsync(known, null, requests: false, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        BatchValidationReport report;
        using (var finder = new DuplicateFinder())
        {
            report = await ValidateLinesAsync(ReadCoreAsync([], finder, requests: false, cancellationToken), cancellationToken).ConfigureAwait(false);
            _duplicates = finder.Finish();
        }

        return _duplicates.Count == 0
            ? report
            : await ValidateLinesAsync(ReadCoreAsync(_duplicates, null, requests: false, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<BatchValidationReport> ValidateLinesAsync(IAsyncEnumerable<BatchInputLine> lines, CancellationToken cancellationToken)
    {
        var errors = new List<BatchInputError>();
        long total = 0, valid = 0, errorCount = 0;
        BatchEndpoint? endpoint = null;
        string? model = null;
        await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            total++;
            if (line.IsValid)
            {
                valid++;
                endpoint ??= line.Endpoint;
                model ??= line.Model;
            }

            foreach (var error in line.Errors)
            {
                errorCount++;
                if (errors.Count < Options.MaxReportedErrors)
                {
                    errors.Add(error);
                }
            }
        }

        if (total == 0)
        {
            errorCount++;
            errors.Add(new(BatchInputErrorCodes.EmptyFile, null, "The file holds no request: expected one JSON request object per line.", null));
        }

        return new BatchValidationReport(Path, total, valid, errorCount, errors, endpoint, model);
    }

    /// <summary>One pass over the file: the lines whose custom_id an earlier line (valid or not) already used.</summary>
    private async Task<Dictionary<long, long>> FindDuplicatesAsync(CancellationToken cancellationToken)
    {
        using var finder = new DuplicateFinder();
        using var lines = new JsonLineReader(JsonLineReader.OpenRead(Path));
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!JsonLineReader.IsBlank(lines.Line.Span) && RequestLineParser.Parse(lines.Line.Span) is { JsonError: null, CustomId: { Length: > 0 } id })
            {
                finder.Add(CustomIdKey.Of(id), lines.LineNumber);
            }
        }

        return finder.Finish();
    }

    private static void CheckCustomId(ref ParsedRequestLine parsed, long number, Dictionary<long, long> duplicates, List<BatchInputError> errors)
    {
        if (!parsed.HasCustomId)
        {
            errors.Add(new(BatchInputErrorCodes.MissingRequiredParameter, number, "Missing required parameter 'custom_id': expected a string unique in the file.", "custom_id"));
        }
        else if (string.IsNullOrEmpty(parsed.CustomId))
        {
            parsed.CustomId = null;
            errors.Add(new(BatchInputErrorCodes.InvalidValue, number, "Invalid 'custom_id': expected a non-empty string.", "custom_id"));
        }
        else if (duplicates.TryGetValue(number, out long first))
        {
            errors.Add(new(BatchInputErrorCodes.DuplicateCustomId, number, $"The custom_id '{parsed.CustomId}' was already used on line {first}: each custom_id must be unique in the file.", "custom_id"));
        }
    }

    private static BatchEndpoint CheckUrlAndMethod(ref ParsedRequestLine parsed, long number, ref string? expectedUrl, List<BatchInputError> errors)
    {
        if (parsed.HasMethod && !string.Equals(parsed.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new(BatchInputErrorCodes.InvalidMethod, number, $"Invalid 'method' {Quote(parsed.Method)}: expected \"POST\".", "method"));
        }

        if (!parsed.HasUrl)
        {
            errors.Add(new(BatchInputErrorCodes.MissingRequiredParameter, number, $"Missing required parameter 'url': expected \"{BatchUrls.ChatCompletions}\" or \"{BatchUrls.Embeddings}\".", "url"));
            return default;
        }

        if (parsed.Url is null || !BatchUrls.TryParse(parsed.Url, out var endpoint))
        {
            errors.Add(new(BatchInputErrorCodes.InvalidUrl, number, $"Unsupported 'url' {Quote(parsed.Url)}: expected \"{BatchUrls.ChatCompletions}\" or \"{BatchUrls.Embeddings}\".", "url"));
            return default;
        }

        string canonical = BatchUrls.Canonical(endpoint);
        if (expectedUrl is null)
        {
            expectedUrl = canonical;
        }
        else if (canonical != expectedUrl)
        {
            errors.Add(new(BatchInputErrorCodes.UrlMismatch, number, $"The url \"{canonical}\" differs from the other lines' \"{expectedUrl}\": every line of a file must address one endpoint.", "url"));
        }

        return endpoint;
    }

    private static string Quote(string? value) => value is null ? "(not a string)" : $"\"{value}\"";
}
