using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.BatchFiles;
using Sluice.Evaluation.Runs;
using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Cli;

/// <summary><c>sluice eval</c>: a dataset evaluated over a RAG index, journalled and resumable. The verb only reads its
/// options and displays; reading the dataset, choosing evaluators, the journal, resume and the run directory are
/// <see cref="EvalJob"/>'s, ingesting the sample <see cref="SampleEvaluation"/>'s.</summary>
internal static class EvalCommand
{
    private static readonly Option<FileInfo?> Dataset = new("--dataset", "-d") { Description = "The cases: JSON Lines with \"query\" and optionally \"id\", \"reference\", \"relevant_ids\", \"response\", \"contexts\"." };
    private static readonly Option<bool> Sample = new("--sample") { Description = "Ingest samples/rag/corpus with the local model into sluice-eval/sample-rag.db (incrementally) and evaluate samples/rag/qa.jsonl." };
    private static readonly Option<FileInfo?> Index = new("--index") { Description = "The vector index to retrieve from (made by sluice ingest with the local model); without it the passages are each case's \"contexts\"." };
    private static readonly Option<string?> Evaluators = new("--evaluators") { Description = "Comma-separated evaluators [default: every one that can run]: " + string.Join(", ", EvaluatorCatalog.Names) + "." };
    private static readonly Option<string?> BaseUrl = new("--base-url") { Description = "The judge's API base, /v1 included (e.g. http://127.0.0.1:8080/v1); adds the LLM judges and, with an index, generated answers." };
    private static readonly Option<string?> Model = new("--model") { Description = "The judge's model (with --base-url)." };
    private static readonly Option<string> ApiKeyEnv = new("--api-key-env") { Description = "The environment variable that holds the API key (the key is never printed or stored).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
    private static readonly Option<bool> NoApiKey = new("--no-api-key") { Description = "Send no API key (a local server that needs none)." };
    private static readonly Option<DirectoryInfo?> Output = new("--output", "-o") { Description = "The run directory [default: sluice-eval/<dataset name>-<UTC time>; with --resume, the newest one of the dataset]." };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in the run directory; nothing it journalled is asked again." };
    private static readonly Option<int> Workers = new("--workers") { Description = "Answers, or evaluations, in progress at once.", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> TopK = new("--top-k") { Description = "Passages retrieved per query.", DefaultValueFactory = _ => 4 };
    private static readonly Option<string> Mode = new("--mode") { Description = "How answers are synthesized with a chat model: compact, refine, tree or accumulate.", DefaultValueFactory = _ => "compact" };
    private static readonly Option<bool> NoFsync = new("--no-fsync") { Description = "Journal to the operating system only (survives kill -9, not power loss)." };

    private const string Examples = """

        Examples:
          sluice eval --sample
              the sample corpus and its 96 cases, local model only: no API key, no network
          sluice eval --dataset qa.jsonl --index docs.db
              retrieval metrics, semantic similarity, token F1, ROUGE-L, BLEU; the LLM judges are listed as skipped
          OPENAI_API_KEY=… sluice eval --dataset qa.jsonl --index docs.db --base-url https://api.openai.com/v1 --model gpt-4o-mini
              answers generated from the index and judged (faithfulness, relevancy, correctness…)
          sluice eval --dataset qa.jsonl --index docs.db --evaluators hit_rate,mrr -o runs/retrieval
          sluice eval --dataset qa.jsonl --index docs.db --base-url … --model … --resume -o runs/judged
              continue a killed or interrupted run: nothing journalled is asked of the judge again

        """;

    private const string ExitCodeHelp = """
        Exit codes:
          0    finished (invalid outcomes are results: counted in the table's invalid column)
          1    the journal or a result file could not be written; what finished is journalled: fix the cause, then --resume
          2    invalid input or configuration (a dataset line, an option, an index that is not one, a refused resume);
               nothing was evaluated
          3    finished, but an evaluator has no valid outcome at all (an unreachable judge, say): see invalid_reason
          130  interrupted (Ctrl+C, SIGTERM); the command printed resumes it
        """;

    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a RAG system on a dataset of questions (BatchEvalRunner): a summary table, per-case results (JSONL, CSV) and a run directory for sluice report; resumable.\n" + Examples + "\n" + ExitCodeHelp);
        foreach (Option option in new Option[] { Dataset, Sample, Index, Evaluators, BaseUrl, Model, ApiKeyEnv, NoApiKey, Output, Resume, Workers, TopK, Mode, NoFsync })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        bool sample = parse.GetValue(Sample);
        string? dataset = parse.GetValue(Dataset)?.FullName;
        string? index = parse.GetValue(Index)?.FullName;
        if (sample == (dataset is not null))
        {
            return Fail(sample ? "--sample evaluates the sample's own dataset: leave out --dataset." : "--dataset is required (a JSON Lines file of cases), or pass --sample.");
        }

        if (sample && index is not null)
        {
            return Fail("--sample uses its own index (" + SampleEvaluation.DefaultIndexPath + "): leave out --index.");
        }

        if (parse.GetValue(Workers) < 1 || parse.GetValue(TopK) < 1)
        {
            return Fail(parse.GetValue(Workers) < 1 ? $"--workers: expected at least 1; it was {parse.GetValue(Workers)}." : $"--top-k: expected at least 1; it was {parse.GetValue(TopK)}.");
        }

        if (ParseMode(parse.GetValue(Mode)!) is not { } mode)
        {
            return Fail($"--mode: expected compact, refine, tree or accumulate; it was '{parse.GetValue(Mode)}'.");
        }

        var evaluators = parse.GetValue(Evaluators)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (Judge(parse, out var judgeSettings) is not { } judge)
        {
            return ExitCodes.InvalidInput;
        }

        if (judge.Client is null && parse.GetResult(Mode) is { Implicit: false })
        {
            return Fail("--mode needs a chat model to synthesize answers: add --base-url and --model.");
        }

        using var judgeClient = judge.Client;
        string? sampleDirectory = null;
        if (sample)
        {
            sampleDirectory = SampleEvaluation.FindSampleDirectory();
            if (sampleDirectory is null)
            {
                return Fail("--sample: samples/rag was not found beside the command or under the current directory.");
            }

            dataset = Path.Combine(sampleDirectory, "qa.jsonl");
            index = Path.GetFullPath(SampleEvaluation.DefaultIndexPath);
        }

        string runDirectory;
        if (parse.GetValue(Output) is { } output)
        {
            runDirectory = output.FullName;
        }
        else if (parse.GetValue(Resume))
        {
            if (EvalRunDirectory.FindLatest(dataset!) is not { } latest)
            {
                return Fail($"--resume: no earlier run of {Path.GetFileName(dataset)} under {Path.GetFullPath(EvalRunDirectory.DefaultParent)}; name its directory with -o.");
            }

            runDirectory = latest.Path;
        }
        else
        {
            runDirectory = EvalRunDirectory.CreateDefault(dataset!, TimeProvider.System.GetUtcNow()).Path;
        }

        using var signals = new StopSignals(message => Console.Error.WriteLine("sluice: " + message), "stopping: calls in flight are abandoned (asked again on --resume); what finished is journalled");
        using var generator = sample || index is not null || evaluators is null || evaluators.Contains("semantic_similarity") ? new LocalEmbeddingGenerator() : null;
        try
        {
            if (sample)
            {
                var ingestion = await SampleEvaluation.IngestAsync(sampleDirectory!, index!, generator!, signals.Stop).ConfigureAwait(false);
                var t = ingestion.Totals;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sluice: ingested {Path.Combine(sampleDirectory!, "corpus")} into {index}: {t.DocumentsRead} documents ({t.DocumentsWritten} written, {t.DocumentsUnchanged} unchanged), {t.ChunksWritten} chunks embedded, {t.Elapsed.TotalSeconds:0.0}s"));
                foreach (var error in ingestion.Errors)
                {
                    Console.Error.WriteLine($"sluice: {error.Source}: {error.Reason}");
                }
            }

            var job = new EvalJob(new EvalJobOptions
            {
                DatasetPath = dataset!,
                IndexPath = index,
                RunDirectory = runDirectory,
                Evaluators = evaluators,
                ChatClient = judge.Client,
                SynthesisMode = mode,
                Settings = judgeSettings,
                Resume = parse.GetValue(Resume),
                Workers = parse.GetValue(Workers),
                TopK = parse.GetValue(TopK),
                EmbeddingGenerator = generator,
                Journal = new RunJournalOptions { FlushToDisk = !parse.GetValue(NoFsync) },
                ProgressWriter = Console.Error,
            });
            var result = await job.RunAsync(signals.Stop).ConfigureAwait(false);
            Show(result);
            var empty = result.Metrics.Where(static m => m.Count > 0 && m.ScoredCount == 0 && m.VerdictCount == 0).Select(static m => m.EvaluatorName).ToArray();
            if (empty.Length > 0)
            {
                // Invalid outcomes are results, but an evaluator with no valid outcome at all (an unreachable judge, a
                // model that never answers in the judge's format) is a run that did not do its job.
                Console.Error.WriteLine($"sluice: no valid outcome for {string.Join(", ", empty)}: see invalid_reason in {result.Directory.ResultsJsonPath}.");
                return ExitCodes.FinishedWithFailures;
            }

            return ExitCodes.Success;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return Fail($"--index: cannot open {index}: {ex.Message}");
        }
        catch (EvalDatasetException ex)
        {
            return Fail(ex.Line is null ? "--dataset: " + ex.Message : ex.Message);
        }
        catch (EvalRunRefusedException ex)
        {
            Console.Error.WriteLine("sluice: " + ex.Message);
            foreach (string reason in ex.Reasons)
            {
                Console.Error.WriteLine("  - " + reason);
            }

            return ExitCodes.InvalidInput;
        }
        catch (BatchFileFormatException ex)
        {
            return Fail(ex.Message);
        }
        catch (OperationCanceledException) when (signals.Stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"sluice: interrupted; finished outcomes are in {Path.Combine(runDirectory, "journal.jsonl")}; to continue, run:");
            Console.Error.WriteLine("  " + ResumeCommand(parse.GetValue(Output) is null ? runDirectory : null));
            return ExitCodes.Interrupted;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"sluice: the run failed: {ex.Message}; what finished is journalled in {runDirectory}: fix the cause, then add --resume -o {runDirectory}.");
            return ExitCodes.RunFailed;
        }
    }

    private static void Show(EvalJobResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var o = Console.Out;
        o.WriteLine(string.Create(c, $"sluice: evaluated {result.Cases} cases with {result.Evaluators.Count} evaluators in {result.Elapsed.TotalSeconds:0.0}s{(result.ResumedOutcomes > 0 ? $" ({result.ResumedOutcomes} outcomes were journalled by the earlier run)" : string.Empty)}"));
        o.WriteLine();
        o.WriteLine($"  {"evaluator",-20} {"mean",7}  {"95% CI",-17} {"n",5} {"invalid",8}");
        foreach (var m in result.Metrics)
        {
            string ci = m.ConfidenceLow is double low && m.ConfidenceHigh is double high ? string.Create(c, $"[{low:0.000}, {high:0.000}]") : "n/a";
            string mean = m.MeanScore is double mv ? mv.ToString("0.000", c) : "n/a";
            o.WriteLine(string.Create(c, $"  {m.EvaluatorName,-20} {mean,7}  {ci,-17} {m.ScoredCount,5} {m.InvalidCount,8}"));
        }

        o.WriteLine();
        foreach (var skipped in result.Skipped)
        {
            o.WriteLine($"skipped: {skipped.Name}: {skipped.Reason}");
        }

        o.WriteLine($"results: {result.Directory.ResultsJsonPath} (and results.csv); summary: {result.Directory.SummaryPath}");
        o.WriteLine($"report: sluice report {result.Directory.Path}");
    }

    /// <summary>The judge's chat client from --base-url/--model/--api-key-env, none when neither is given; null on a bad option.</summary>
    private static (IChatClient? Client, bool Ok)? Judge(ParseResult parse, out Dictionary<string, string?> settings)
    {
        settings = [];
        string? baseUrlText = parse.GetValue(BaseUrl);
        string? model = parse.GetValue(Model);
        if (baseUrlText is null && model is null)
        {
            return (null, true);
        }

        if (string.IsNullOrWhiteSpace(baseUrlText) || string.IsNullOrWhiteSpace(model))
        {
            Fail(baseUrlText is null ? "--model needs --base-url: the judge's API base, /v1 included." : "--base-url needs --model: the judge's model name.");
            return null;
        }

        if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            Fail("--base-url: expected an absolute http or https address such as http://127.0.0.1:8080/v1.");
            return null;
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            Fail("--base-url must not carry credentials (user-info or a query string): pass the key in the variable named by --api-key-env.");
            return null;
        }

        string keyVariable = parse.GetValue(ApiKeyEnv)!;
        string apiKey = "none";
        if (!parse.GetValue(NoApiKey))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(keyVariable, "^[A-Za-z_][A-Za-z0-9_]*$"))
            {
                Fail("--api-key-env takes the NAME of an environment variable (letters, digits, _), not the key itself; the value given is not a variable name and is not shown.");
                return null;
            }

            apiKey = Environment.GetEnvironmentVariable(keyVariable) ?? string.Empty;
            if (apiKey.Length == 0)
            {
                Fail($"--api-key-env: the environment variable {keyVariable} is not set (or is empty). Set it to the API key, name another variable with --api-key-env, or pass --no-api-key for a server that needs none.");
                return null;
            }
        }

        settings["base URL"] = baseUrl.AbsoluteUri;
        settings["model"] = model;
        settings["API key variable"] = parse.GetValue(NoApiKey) ? "(none)" : keyVariable;
        return (OpenAICompatible.CreateChatClient(baseUrl, apiKey, model), true);
    }

    private static SynthesisMode? ParseMode(string mode) => mode.ToLowerInvariant() switch
    {
        "compact" => SynthesisMode.Compact,
        "refine" => SynthesisMode.Refine,
        "tree" or "tree_summarize" or "treesummarize" => SynthesisMode.TreeSummarize,
        "accumulate" => SynthesisMode.Accumulate,
        _ => null,
    };

    /// <summary>The command line that resumes this run: the same arguments with <c>--resume</c>, and <c>-o</c> when the directory was chosen by default.</summary>
    private static string ResumeCommand(string? defaultDirectory)
    {
        var arguments = Environment.GetCommandLineArgs().Skip(1).ToList();
        if (!arguments.Contains("--resume"))
        {
            arguments.Add("--resume");
        }

        if (defaultDirectory is not null)
        {
            arguments.AddRange(["-o", defaultDirectory]);
        }

        return "sluice " + string.Join(' ', arguments.Select(Quote));

        static string Quote(string argument) =>
            argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@%+,".Contains(c))
                ? argument
                : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
