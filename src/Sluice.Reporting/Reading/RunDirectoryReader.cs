using System.Globalization;
using System.Text.Json;
using Sluice.AI;
using Sluice.BatchFiles;

namespace Sluice.Reporting;

/// <summary>Reads a run directory into a <see cref="ReportSource"/>: its kind from <c>summary.json</c>'s <c>kind</c>
/// (a directory with a journal and no summary, or a summary without a kind, is a <c>run</c>), then the files of that
/// kind.</summary>
internal static class RunDirectoryReader
{
    public static async Task<ReportSource> ReadAsync(string path, CancellationToken cancellationToken)
    {
        string directory = Resolve(path);
        string summaryPath = Path.Combine(directory, "summary.json");
        JsonElement? summary = File.Exists(summaryPath) ? JsonLines.ReadObject(summaryPath) : null;
        string kind = summary is { } s ? JsonLines.String(s, "kind") ?? "run" : "run";
        return kind switch
        {
            "run" => await ReadRunAsync(directory, summary, cancellationToken).ConfigureAwait(false),
            "eval" => EvalDirectoryReader.Read(directory, summary!.Value),
            _ => throw new ReportInputException(summaryPath, null, $"unknown \"kind\" \"{kind}\"; expected run or eval."),
        };
    }

    /// <summary>The run directory for a path: the directory itself, or the run directory of an output file.</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        if (!System.IO.Directory.Exists(full) && File.Exists(full) && System.IO.Directory.Exists(full + ".sluice"))
        {
            full += ".sluice"; // the output file of sluice run: its run directory sits beside it
        }

        if (!System.IO.Directory.Exists(full))
        {
            throw new ReportInputException(full, null, "no such directory; expected a run directory (<output>.sluice of sluice run, or the run directory of sluice eval).");
        }

        if (!File.Exists(Path.Combine(full, "summary.json")) && !File.Exists(Path.Combine(full, "journal.jsonl")))
        {
            throw new ReportInputException(full, null, "not a run directory: it holds neither summary.json nor journal.jsonl.");
        }

        return full;
    }

    private static async Task<ReportSource> ReadRunAsync(string directory, JsonElement? summary, CancellationToken cancellationToken)
    {
        string summaryPath = Path.Combine(directory, "summary.json");
        var timeline = TimelineReader.Read(Path.Combine(directory, "timeline.jsonl"));
        // A sharded run (sluice run --cluster) keeps its journals per shard; its final files hold the same results.
        string journalPath = Path.Combine(directory, "journal.jsonl");
        var journal = !File.Exists(journalPath) && summary is { } named && JsonLines.String(named, "output") is { } outputFile && JsonLines.String(named, "errors") is { } errorsFile
            ? await JournalDigest.ReadFilesAsync(outputFile, errorsFile, cancellationToken).ConfigureAwait(false)
            : await JournalDigest.ReadAsync(journalPath, cancellationToken).ConfigureAwait(false);
        JsonElement? counts = summary is { } s && s.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object ? c : null;
        if (summary is not null && counts is null)
        {
            throw new ReportInputException(summaryPath, null, "field \"counts\" is missing or not an object; expected the summary of sluice run.");
        }

        // The totals of every session: from the timeline's session ends, or (an older run) the summary's last session.
        var ends = timeline?.SessionEnds().ToList() ?? [];
        long Sum(Func<TimelinePoint, long> field, string name) =>
            ends.Count > 0 ? ends.Sum(field) : counts is { } k ? JsonLines.Long(k, name) ?? 0 : 0;
        decimal? cost = ends.Count > 0
            ? ends.All(e => e.Cost is not null) ? ends.Sum(e => e.Cost!.Value) : null
            : counts is { } k2 ? JsonLines.Decimal(k2, "cost_usd") : null;
        long cacheHits = Sum(p => p.CacheHits, "cache_hits");
        long answered = Sum(p => p.Succeeded + p.Failed, "succeeded") + (ends.Count > 0 ? 0 : counts is { } k3 ? JsonLines.Long(k3, "failed") ?? 0 : 0);
        var totals = new RunTotals
        {
            Items = counts is { } k4 ? JsonLines.Long(k4, "total") : null,
            Succeeded = journal.Succeeded,
            Failed = journal.Failed,
            Sent = Math.Max(0, answered - cacheHits),
            CacheHits = cacheHits,
            Retries = Sum(p => p.Retries, "retries"),
            RateLimited = Sum(p => p.RateLimited, "rate_limited"),
            SentInputTokens = Sum(p => p.InputTokens, "input_tokens"),
            SentOutputTokens = Sum(p => p.OutputTokens, "output_tokens"),
            ResultInputTokens = journal.InputTokens,
            ResultOutputTokens = journal.OutputTokens,
            Cost = cost,
            Errors = journal.Errors,
        };

        double elapsed = timeline?.Elapsed ?? (counts is { } k5 ? JsonLines.Double(k5, "elapsed_seconds") ?? 0 : 0);
        var facts = new List<KeyValuePair<string, string>>();
        if (summary is { } sum)
        {
            AddFact(facts, "input", JsonLines.String(sum, "input"));
            AddFact(facts, "output", JsonLines.String(sum, "output"));
            AddFact(facts, "errors", JsonLines.String(sum, "errors"));
        }

        string manifestPath = Path.Combine(directory, "manifest.json");
        if (File.Exists(manifestPath))
        {
            RunManifest manifest;
            try
            {
                manifest = await RunManifest.ReadAsync(manifestPath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is BatchFileFormatException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ReportInputException(manifestPath, (ex as JsonException)?.LineNumber + 1, "not a run manifest: " + ex.Message, ex);
            }

            AddFact(facts, "started", manifest.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            AddFact(facts, "sluice version", manifest.SluiceVersion);
            foreach (var (name, value) in manifest.Settings)
            {
                if (!Redaction.IsSecretSetting(name, value))
                {
                    AddFact(facts, name, value);
                }
            }
        }

        if (timeline is { Sessions: > 1 })
        {
            AddFact(facts, "sessions", timeline.Sessions.ToString(CultureInfo.InvariantCulture) + " (the run and its resumes)");
        }

        var latency = timeline is null ? null : Percentiles.Of(timeline.LatencyBoundsMs, timeline.LatencyCounts);
        var attempts = timeline is null ? null : Percentiles.Of(timeline.LatencyBoundsMs, timeline.AttemptCounts);
        long done = totals.Succeeded + totals.Failed;
        return new ReportSource
        {
            Kind = "run",
            Directory = directory,
            Outcome = summary is { } o ? JsonLines.String(o, "outcome") : "unfinished (no summary.json: the run was killed or is running)",
            Facts = facts,
            Timeline = timeline,
            Run = totals,
            Headlines =
            [
                new Headline("items done", done, HeadlineFormat.Count),
                new Headline("succeeded", totals.Succeeded, HeadlineFormat.Count),
                new Headline("failed", totals.Failed, HeadlineFormat.Count),
                new Headline("elapsed (s)", elapsed, HeadlineFormat.Seconds),
                new Headline("items per second", elapsed > 0 ? Sum(p => p.Succeeded + p.Failed, "succeeded") / elapsed : null, HeadlineFormat.Decimal),
                new Headline("attempt latency p50 (at most)", attempts?.P50, HeadlineFormat.Milliseconds),
                new Headline("attempt latency p99 (at most)", attempts?.P99, HeadlineFormat.Milliseconds),
                new Headline("request latency p50 (at most)", latency?.P50, HeadlineFormat.Milliseconds),
                new Headline("request latency p99 (at most)", latency?.P99, HeadlineFormat.Milliseconds),
                new Headline("retries", totals.Retries, HeadlineFormat.Count),
                new Headline("429 responses", totals.RateLimited, HeadlineFormat.Count),
                new Headline("requests sent", totals.Sent, HeadlineFormat.Count),
                new Headline("cache hits", totals.CacheHits, HeadlineFormat.Count),
                new Headline("input tokens (sent)", totals.SentInputTokens, HeadlineFormat.Count),
                new Headline("output tokens (sent)", totals.SentOutputTokens, HeadlineFormat.Count),
                new Headline("cost (USD)", (double?)totals.Cost, HeadlineFormat.Dollars),
            ],
        };
    }

    internal static void AddFact(List<KeyValuePair<string, string>> facts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            facts.Add(new(name, Redaction.Clean(value)));
        }
    }
}

/// <summary>What the journal says (or, for a run with no journal of its own — a sharded run — its final output and
/// errors files): final outcomes (the last record of each item wins), the failures by kind, and the usage of every
/// success (the cache's answers included).</summary>
internal sealed record JournalDigest(long Succeeded, long Failed, long InputTokens, long OutputTokens, IReadOnlyList<ErrorKind> Errors)
{
    public static async Task<JournalDigest> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await DigestAsync(Results(path, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (BatchFileFormatException ex)
        {
            throw new ReportInputException(ex.FilePath, ex.LineNumber, "not a journal record: " + ex.Message, ex);
        }

        static async IAsyncEnumerable<BatchResult> Results(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var record in RunJournalReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
            {
                BatchResult result;
                try
                {
                    result = record.ToResult();
                }
                catch (FormatException ex)
                {
                    throw new ReportInputException(path, null, $"the record of custom_id \"{Redaction.Shorten(record.CustomId, 80)}\" holds no output line: {ex.Message}", ex);
                }

                yield return result;
            }
        }
    }

    /// <summary>The digest of a run's final files: the output file, then the errors file.</summary>
    public static async Task<JournalDigest> ReadFilesAsync(string outputPath, string errorsPath, CancellationToken cancellationToken)
    {
        try
        {
            return await DigestAsync(Results(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (BatchFileFormatException ex)
        {
            throw new ReportInputException(ex.FilePath, ex.LineNumber, "not an output line: " + ex.Message, ex);
        }
        catch (FileNotFoundException ex)
        {
            throw new ReportInputException(ex.FileName ?? outputPath, null, "no such file; summary.json names it as the run's output, and a run without a journal is reported from its output and errors files.", ex);
        }

        async IAsyncEnumerable<BatchResult> Results([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (string path in new[] { outputPath, errorsPath })
            {
                await foreach (var result in BatchOutputReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
                {
                    yield return result;
                }
            }
        }
    }

    private static async Task<JournalDigest> DigestAsync(IAsyncEnumerable<BatchResult> results, CancellationToken cancellationToken)
    {
        // Keys, not ids, for the successes (a million items stay small); the failures keep their kind.
        var failures = new Dictionary<UInt128, (string Kind, string Message)>();
        var succeeded = new HashSet<UInt128>();
        long input = 0, output = 0;
        await foreach (var result in results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var key = Sluice.BatchFiles.Lines.CustomIdKey.Of(result.CustomId);
            if (result.Succeeded)
            {
                failures.Remove(key);
                succeeded.Add(key);
                var (i, o) = ResponseUsage.Read(result.Response!.Body.Span);
                input += i ?? 0;
                output += o ?? 0;
            }
            else
            {
                succeeded.Remove(key);
                failures[key] = Classify(result);
            }
        }

        var errors = failures.Values
            .GroupBy(f => f.Kind, StringComparer.Ordinal)
            .Select(g => new ErrorKind(g.Key, g.LongCount(), g.First().Message))
            .OrderByDescending(e => e.Count).ThenBy(e => e.Kind, StringComparer.Ordinal)
            .ToList();
        return new JournalDigest(succeeded.Count, failures.Count, input, output, errors);
    }

    /// <summary>A failure's kind: <c>HTTP 500 server_error</c> (the status and the provider's error code or type), or
    /// Sluice's own code for a request with no HTTP answer (<c>request_timeout</c>…).</summary>
    internal static (string Kind, string Message) Classify(BatchResult result)
    {
        if (result.Error is { } error)
        {
            return (error.Code, Redaction.Shorten(error.Message));
        }

        var response = result.Response!;
        string? code = null, message = null;
        try
        {
            using var body = JsonDocument.Parse(response.Body);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                code = JsonLines.String(e, "code") ?? JsonLines.String(e, "type");
                message = JsonLines.String(e, "message");
            }
        }
        catch (JsonException)
        {
            // a body that is not JSON: the status alone
        }

        string kind = "HTTP " + response.StatusCode.ToString(CultureInfo.InvariantCulture) + (code is null ? "" : " " + code);
        return (Redaction.Clean(kind), Redaction.Shorten(message ?? ""));
    }
}
