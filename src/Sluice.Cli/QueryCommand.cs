using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Cli;

/// <summary><c>sluice query</c>: questions against an index built by <c>sluice ingest</c>; the top chunks with their
/// sources and scores, and with a chat model a synthesized answer. Retrieval (batched) and synthesis are
/// <see cref="QueryEngine"/>'s; the verb reads options and prints.</summary>
internal static class QueryCommand
{
    private static readonly Argument<string[]> Queries = new("query") { Description = "The question(s), each one argument.", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<FileInfo?> File = new("--file", "-f") { Description = "A file of questions, one per non-blank line, retrieved in batches." };
    private static readonly Option<FileInfo> Index = new("--index") { Description = "The index file written by sluice ingest.", DefaultValueFactory = _ => new FileInfo(IngestCommand.DefaultIndex) };
    private static readonly Option<int> TopK = new("--top-k", "-k") { Description = "Chunks per question, best first.", DefaultValueFactory = _ => 4 };
    private static readonly Option<string> Mode = new("--mode") { Description = "How the answer is synthesized from the chunks: compact, refine, tree or accumulate (needs --base-url and --model).", DefaultValueFactory = _ => "compact" };
    private static readonly Option<bool> Json = new("--json") { Description = "One JSON object per question on standard output (JSON Lines), in input order." };
    private static readonly ModelEndpointOptions Endpoint = new("The chat model that writes the answer (e.g. gpt-4o-mini); without --base-url and --model only the retrieved chunks are shown.");

    public const string Examples = """
        Examples:
          sluice query "How is the monthly water bill calculated?" --index rag.db
          sluice query --file questions.txt --index rag.db --json > answers.jsonl
          OPENAI_API_KEY=… sluice query "When was the utility founded?" --index rag.db --base-url https://api.openai.com/v1 --model gpt-4o-mini --mode tree
        """;

    private const string ExitHelp = """
        Exit codes:
          0    every question was answered (or, with no chat model, retrieved)
          2    invalid input or options (no index file, no question, a bad --mode); nothing was sent
          3    some questions failed (each failed one says why, in its place); the others were answered
          130  interrupted (Ctrl+C, SIGTERM); the answers printed so far are complete
        """;

    public static Command Create()
    {
        var command = new Command("query", "Ask an index questions: the top-k chunks with sources and scores; with --base-url and --model a synthesized answer. Many questions (--file) are retrieved in batches.\n\n" + Examples + "\n\n" + ExitHelp);
        command.Arguments.Add(Queries);
        foreach (Option option in new Option[] { File, Index, TopK, Mode, Json }.Concat(Endpoint.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string indexPath = parse.GetValue(Index)!.FullName;
        if (!System.IO.File.Exists(indexPath))
        {
            return Fail($"--index: no such index file: {indexPath} (build one with: sluice ingest <dir> --index {indexPath})");
        }

        int topK = parse.GetValue(TopK);
        if (topK < 1)
        {
            return Fail($"--top-k: expected at least 1; it was {topK}.");
        }

        SynthesisMode mode;
        switch (parse.GetValue(Mode)!.ToLowerInvariant())
        {
            case "compact": mode = SynthesisMode.Compact; break;
            case "refine": mode = SynthesisMode.Refine; break;
            case "tree" or "tree_summarize" or "treesummarize": mode = SynthesisMode.TreeSummarize; break;
            case "accumulate": mode = SynthesisMode.Accumulate; break;
            default: return Fail($"--mode: expected compact, refine, tree or accumulate; it was '{parse.GetValue(Mode)}'.");
        }

        var questions = new List<string>(parse.GetValue(Queries) ?? []);
        if (questions.Any(string.IsNullOrWhiteSpace))
        {
            return Fail("query: a question is empty.");
        }

        if (parse.GetValue(File) is { } file)
        {
            if (!file.Exists)
            {
                return Fail($"--file: no such file: {file.FullName}");
            }

            questions.AddRange(System.IO.File.ReadLines(file.FullName).Where(line => !string.IsNullOrWhiteSpace(line)).Select(line => line.Trim()));
        }

        if (questions.Count == 0)
        {
            return Fail("no question: give one as an argument (sluice query \"…\") or a file of them with --file.");
        }

        IChatClient? chat = null;
        if (Endpoint.IsGiven(parse))
        {
            if (Endpoint.Resolve(parse, out string? error) is not { } endpoint)
            {
                return Fail(error!);
            }

            chat = OpenAICompatible.CreateChatClient(endpoint.BaseUrl, endpoint.ApiKey, endpoint.Model);
        }
        else if (parse.GetResult(Mode) is { Implicit: false })
        {
            return Fail("--mode needs a chat model: add --base-url and --model.");
        }

        using var ownedChat = chat;
        VectorIndex index;
        try
        {
            index = VectorIndex.Open(indexPath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            return Fail($"--index: cannot open {indexPath}: {ex.Message}");
        }

        using var ownedIndex = index;
        using var model = new LocalEmbeddingGenerator();
        var retriever = new VectorRetriever(index, model, new RetrieverOptions { TopK = topK });
        var engine = new QueryEngine(retriever, chat is null ? null : ResponseSynthesizer.Create(chat, mode));
        bool json = parse.GetValue(Json);
        int failed = 0;
        long done = 0;
        var started = TimeProvider.System.GetTimestamp();
        using var interruption = new Interruption(cancellationToken);
        var answering = Task.Run(async () =>
        {
            await foreach (var result in engine.QueryManyAsync(questions, interruption.Token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref done);
                if (!result.Succeeded)
                {
                    failed++;
                }

                Console.Out.Write(json ? JsonLine(result) : Human(result, chat is not null));
            }
        }, interruption.Token);
        if (questions.Count > 1)
        {
            await StatusDisplay.ShowUntilAsync(answering, () => string.Create(CultureInfo.InvariantCulture,
                $"querying: {Interlocked.Read(ref done):N0}/{questions.Count:N0} questions, {ProgressDisplay.Duration(TimeProvider.System.GetElapsedTime(started))} elapsed")).ConfigureAwait(false);
        }

        try
        {
            await answering.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            Console.Error.WriteLine($"sluice: interrupted after {Interlocked.Read(ref done):N0} of {questions.Count:N0} questions.");
            return ExitCodes.Interrupted;
        }
        catch (InvalidOperationException ex)
        {
            // e.g. an index built with another embedding model (other dimensions)
            return Fail($"--index: {ex.Message}");
        }

        if (!json && questions.Count > 1)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sluice: {questions.Count - failed:N0} of {questions.Count:N0} questions answered in {ProgressDisplay.Duration(TimeProvider.System.GetElapsedTime(started))}{(failed > 0 ? $"; {failed:N0} failed" : string.Empty)}"));
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.FinishedWithFailures;
    }

    private static string JsonLine(ItemResult<string, QueryAnswer> result)
    {
        var answer = result.Value;
        var line = new Dictionary<string, object?>
        {
            ["query"] = result.Input,
            ["answer"] = answer is { Generated: true } ? answer.Response.Response : null,
            ["generated"] = answer?.Generated ?? false,
            ["sources"] = answer?.Hits.Select((hit, i) => new Dictionary<string, object?>
            {
                ["rank"] = i + 1,
                ["document_id"] = QueryEngine.SourceIdOf(hit),
                ["source"] = hit.Metadata.GetValueOrDefault(IngestionPipeline.SourceField),
                ["title"] = hit.Metadata.GetValueOrDefault(IngestionPipeline.TitleField),
                ["score"] = Math.Round(hit.Score, 4),
                ["key"] = hit.Key,
                ["text"] = hit.Text,
            }).ToList() ?? [],
            ["error"] = result.Error is { } e ? $"{e.GetType().Name}: {e.Message}" : null,
        };
        return JsonOutput.Line(line) + "\n";
    }

    private static string Human(ItemResult<string, QueryAnswer> result, bool hasChat)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.Append("Q: ").AppendLine(result.Input);
        if (result.Value is not { } answer)
        {
            text.Append("  failed: ").Append(result.Error!.GetType().Name).Append(": ").AppendLine(result.Error.Message).AppendLine();
            return text.ToString();
        }

        if (answer.Generated)
        {
            text.Append("A: ").AppendLine(answer.Response.Response.Trim());
        }
        else if (hasChat)
        {
            text.AppendLine("A: (no answer: nothing with text was retrieved)");
        }

        text.AppendLine("Sources:");
        for (int i = 0; i < answer.Hits.Count; i++)
        {
            var hit = answer.Hits[i];
            string title = hit.Metadata.GetValueOrDefault(IngestionPipeline.TitleField) ?? "";
            string snippet = hit.Text.ReplaceLineEndings(" ");
            snippet = snippet.Length > 160 ? snippet[..157] + "..." : snippet;
            text.Append(c, $"  {i + 1}. {hit.Score:F3}  {QueryEngine.SourceIdOf(hit)}").AppendLine(title.Length > 0 ? $"  \"{title}\"" : string.Empty);
            text.Append("     ").AppendLine(snippet);
        }

        return text.AppendLine().ToString();
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
