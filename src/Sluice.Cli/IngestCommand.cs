using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Cli;

/// <summary><c>sluice ingest</c>: a directory or a list of URLs into an index file with the local model. Reading,
/// splitting, embedding, writing and pruning are <see cref="IngestionPipeline"/>'s; the verb reads options and shows
/// progress and the per-file errors.</summary>
internal static class IngestCommand
{
    /// <summary>The index file when <c>--index</c> is not given, in the current directory.</summary>
    public const string DefaultIndex = "sluice-index.db";

    private static readonly Argument<string> Source = new("source") { Description = "A directory (.txt, .md, .html, .pdf, .jsonl files, recursively) or a text file of URLs (one per line, # comments)." };
    private static readonly Option<FileInfo> Index = new("--index") { Description = "The index file (SQLite), created when missing.", DefaultValueFactory = _ => new FileInfo(DefaultIndex) };
    private static readonly Option<bool> Prune = new("--prune") { Description = "Delete from the index the documents this run did not see (deleted files, removed URLs). Assumes the index holds this one corpus." };
    private static readonly Option<FileInfo?> Cache = new("--cache") { Description = "An embedding cache file (SQLite): a text embedded once is never embedded again, even in another index." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the summary (counts and every error) as one JSON object on standard output." };

    public const string Examples = """
        Examples:
          sluice ingest samples/rag/corpus --index rag.db
          sluice ingest docs/ --index docs.db --prune          # again after editing: only changed files are embedded
          sluice ingest urls.txt --index web.db
        """;

    private const string ExitHelp = """
        Exit codes:
          0    every file was read, embedded and written
          1    the run itself failed (the index could not be opened or written)
          2    invalid input (no such directory, a bad line in the URL list, an index of another model)
          3    the run finished, but some files failed (listed at the end with path and reason); the rest is in the index
          130  interrupted (Ctrl+C, SIGTERM); what was written stays; run again to continue
        """;

    public static Command Create()
    {
        var command = new Command("ingest", $"Ingest a directory or a list of URLs into an index file with the local embedding model (no key, no network for files); incremental: unchanged documents make no embedding calls.\n\nThe index defaults to ./{DefaultIndex}.\n\n" + Examples + "\n\n" + ExitHelp);
        command.Arguments.Add(Source);
        foreach (Option option in new Option[] { Index, Prune, Cache, Json })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string source = parse.GetValue(Source)!;
        string indexPath = parse.GetValue(Index)!.FullName;
        IReadOnlyList<string>? urls = null;
        if (File.Exists(source))
        {
            try
            {
                urls = await UrlListFile.ReadAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (TextRecordFormatException ex)
            {
                return Fail("source: " + ex.Message);
            }
        }
        else if (!Directory.Exists(source))
        {
            return Fail($"source: no such directory or URL list: {Path.GetFullPath(source)}");
        }

        if (Path.GetDirectoryName(indexPath) is { } directory && !Directory.Exists(directory))
        {
            return Fail($"--index: the directory {directory} does not exist.");
        }

        var status = new IngestStatus();
        VectorIndex index;
        EmbeddingCache? cache = null;
        try
        {
            index = VectorIndex.Open(indexPath);
            if (parse.GetValue(Cache) is { } cacheFile)
            {
                cache = EmbeddingCache.Open(cacheFile.FullName);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            return Fail($"--index/--cache: cannot open: {ex.Message}");
        }

        using var ownedIndex = index;
        using var ownedCache = cache;
        using var model = new LocalEmbeddingGenerator();
        var pipeline = IngestionPipeline.Create(model, index, new IngestionOptions { Prune = parse.GetValue(Prune), Cache = cache, Progress = status });
        using var web = urls is null ? null : new WebPageReader();
        using var interruption = new Interruption(cancellationToken);
        var run = urls is null
            ? pipeline.IngestDirectoryAsync(source, interruption.Token)
            : pipeline.IngestAsync(WebPageDocuments.ReadAsync(web!, urls, interruption.Token), interruption.Token);
        await StatusDisplay.ShowUntilAsync(run, status.Line).ConfigureAwait(false);
        IngestionReport report;
        try
        {
            report = await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            Console.Error.WriteLine("sluice: interrupted; the documents written so far stay in the index, nothing was pruned. Run the same command again to continue: written documents are skipped as unchanged.");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"sluice: ingestion failed: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine("sluice: the documents written so far stay in the index; nothing was pruned. Run the same command again once fixed.");
            return ExitCodes.RunFailed;
        }

        var t = report.Totals;
        if (parse.GetValue(Json))
        {
            Console.Out.WriteLine(JsonOutput.Line(new Dictionary<string, object?>
            {
                ["index"] = indexPath,
                ["documents_read"] = t.DocumentsRead,
                ["documents_unchanged"] = t.DocumentsUnchanged,
                ["documents_written"] = t.DocumentsWritten,
                ["documents_pruned"] = t.DocumentsPruned,
                ["chunks"] = t.Chunks,
                ["chunks_written"] = t.ChunksWritten,
                ["embedding_calls"] = t.EmbeddingCalls,
                ["texts_embedded"] = t.TextsEmbedded,
                ["cache_hits"] = t.CacheHits,
                ["index_records"] = index.Count,
                ["seconds"] = Math.Round(t.Elapsed.TotalSeconds, 3),
                ["errors"] = report.Errors.Select(e => new Dictionary<string, string?> { ["source"] = e.Source, ["document_id"] = e.DocumentId, ["stage"] = e.Stage.ToString().ToLowerInvariant(), ["reason"] = e.Reason }).ToList(),
            }));
        }
        else
        {
            if (report.Errors.Count > 0)
            {
                Console.Out.WriteLine($"sluice: {report.Errors.Count} error(s); these files or documents are not (newly) in the index:");
                foreach (var e in report.Errors)
                {
                    Console.Out.WriteLine($"  {e.Source} ({e.Stage.ToString().ToLowerInvariant()}): {e.Reason}");
                }
            }

            var c = CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(c,
                $"sluice: ingested {t.DocumentsRead:N0} documents ({t.DocumentsWritten:N0} written, {t.DocumentsUnchanged:N0} unchanged, {t.DocumentsPruned:N0} pruned, {report.Errors.Count:N0} errors), " +
                $"{t.Chunks:N0} chunks, {t.EmbeddingCalls:N0} embedding calls, {t.CacheHits:N0} cache hits in {ProgressDisplay.Duration(t.Elapsed)}; index {indexPath} ({index.Count:N0} chunks)"));
        }

        return report.Succeeded ? ExitCodes.Success : ExitCodes.FinishedWithFailures;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }

    /// <summary>The latest counts, per stage, for the status line.</summary>
    private sealed class IngestStatus : IProgress<IngestionProgress>
    {
        private IngestionProgress _latest = new();

        public void Report(IngestionProgress value) => Volatile.Write(ref _latest, value);

        public string Line()
        {
            var p = Volatile.Read(ref _latest);
            return string.Create(CultureInfo.InvariantCulture,
                $"ingesting: read {p.DocumentsRead:N0} ({p.DocumentsUnchanged:N0} unchanged), split {p.DocumentsSplit:N0} into {p.Chunks:N0} chunks, " +
                $"embedded {p.TextsEmbedded:N0} in {p.EmbeddingCalls:N0} calls ({p.CacheHits:N0} cache hits), written {p.DocumentsWritten:N0} documents / {p.ChunksWritten:N0} chunks, errors {p.Errors:N0}");
        }
    }
}
