using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Sluice.AI;
using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Cli;

/// <summary><c>sluice embed</c>: a file of texts to a file of vectors, with the local model or any OpenAI-compatible
/// endpoint. Reading, embedding and writing are <see cref="FileEmbedder"/>'s; the verb reads options and shows progress.</summary>
internal static class EmbedCommand
{
    private static readonly Argument<FileInfo> Input = new("input") { Description = "The texts: one per line, or JSON Lines (.jsonl, or --field) with a text and an id field." };
    private static readonly Option<FileInfo> Output = new("--output", "-o") { Description = "The vectors: .npy (float32 matrix, ids in <name>.ids.txt beside it) or JSON Lines ({\"id\", \"vector\"} per line).", Required = true };
    private static readonly Option<string?> Format = new("--format") { Description = "Output format: jsonl or npy [default: by the output's extension; .npy is npy, anything else jsonl]." };
    private static readonly Option<string?> Field = new("--field") { Description = "The JSON field holding the text; reads the input as JSON Lines [default: text]." };
    private static readonly Option<string> IdField = new("--id-field") { Description = "The JSON field holding the id (string or number).", DefaultValueFactory = _ => "id" };
    private static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Texts per model run or request, fixed [default: adaptive, shown in the progress line]." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the summary as one JSON object on standard output." };
    private static readonly ModelEndpointOptions Endpoint = new("The embedding model of --base-url (e.g. text-embedding-3-small); without --base-url the local all-MiniLM-L6-v2 (384 dimensions, no key, no network) embeds.");

    public const string Examples = """
        Examples:
          sluice embed questions.txt -o questions.npy
          sluice embed docs.jsonl --field body --id-field doc_id -o vectors.jsonl
          OPENAI_API_KEY=… sluice embed docs.jsonl -o vectors.npy --base-url https://api.openai.com/v1 --model text-embedding-3-small
        """;

    private const string ExitHelp = """
        Exit codes:
          0    every text was embedded and the output written
          1    the run failed (the endpoint failed after retries, the output could not be written); no output file is left
          2    invalid input or options (the message names the file and line); nothing was embedded
          130  interrupted (Ctrl+C, SIGTERM); no output file is left
        """;

    public static Command Create()
    {
        var command = new Command("embed", "Embed a file of texts into vectors (JSON Lines or .npy), streaming in bounded memory; the local model by default, any OpenAI-compatible endpoint with --base-url.\n\n" + Examples + "\n\n" + ExitHelp);
        command.Arguments.Add(Input);
        foreach (Option option in new Option[] { Output, Format, Field, IdField, BatchSize, Json }.Concat(Endpoint.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string input = parse.GetValue(Input)!.FullName;
        string output = parse.GetValue(Output)!.FullName;
        if (!File.Exists(input))
        {
            return Fail($"input: no such file: {input}");
        }

        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            return Fail("--output must not be the input file.");
        }

        if (Path.GetDirectoryName(output) is { } outputDirectory && !Directory.Exists(outputDirectory))
        {
            return Fail($"--output: the directory {outputDirectory} does not exist; create it or name a file in an existing one. Nothing was embedded.");
        }

        EmbeddingFileFormat? format = null;
        switch (parse.GetValue(Format)?.ToLowerInvariant())
        {
            case null:
                break;
            case "jsonl":
                format = EmbeddingFileFormat.JsonLines;
                break;
            case "npy":
                format = EmbeddingFileFormat.Npy;
                break;
            default:
                return Fail($"--format: expected jsonl or npy; it was '{parse.GetValue(Format)}'.");
        }

        if (parse.GetValue(BatchSize) is < 1)
        {
            return Fail($"--batch-size: expected at least 1; it was {parse.GetValue(BatchSize)}.");
        }

        string? field = parse.GetValue(Field);
        var reading = new TextRecordReaderOptions
        {
            Format = field is not null ? TextInputFormat.JsonLines : null,
            TextField = string.IsNullOrEmpty(field) ? "text" : field,
            IdField = parse.GetValue(IdField) is { Length: > 0 } id ? id : "id",
        };

        var state = new EmbedStatus();
        IEmbeddingGenerator<string, Embedding<float>> generator;
        if (Endpoint.IsGiven(parse))
        {
            if (Endpoint.Resolve(parse, out string? error) is not { } endpoint)
            {
                return Fail(error!);
            }

            int? fixedSize = parse.GetValue(BatchSize);
            var inner = OpenAICompatible.CreateEmbeddingGenerator(endpoint.BaseUrl, endpoint.ApiKey, endpoint.Model);
            generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner)
                .UseSluiceGrouping(o =>
                {
                    if (fixedSize is { } size)
                    {
                        o.GroupSize = o.GroupSize with { InitialSize = size, MinSize = size, MaxSize = size };
                    }
                })
                .Build();
            state.Model = endpoint.Model;
        }
        else
        {
            try
            {
                generator = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { FixedGroupSize = parse.GetValue(BatchSize), Progress = state });
            }
            catch (FileNotFoundException ex)
            {
                return Fail("the local model's package is missing: " + ex.Message);
            }

            state.Model = LocalEmbeddingGenerator.ModelId + " (local)";
        }

        using var owned = generator;
        var embedder = new FileEmbedder(generator, new FileEmbedderOptions { Input = reading, OutputFormat = format, Progress = state });
        state.GroupSize = embedder.CurrentGroupSize;
        using var interruption = new Interruption(cancellationToken);
        var run = embedder.RunAsync(input, output, interruption.Token);
        await StatusDisplay.ShowUntilAsync(run, state.Line).ConfigureAwait(false);
        FileEmbeddingReport report;
        try
        {
            report = await run.ConfigureAwait(false);
        }
        catch (TextRecordFormatException ex)
        {
            return Fail(ex.Message + " Nothing was embedded.");
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            Console.Error.WriteLine("sluice: interrupted; no output was written.");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"sluice: embedding failed: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine("sluice: no output was written.");
            return ExitCodes.RunFailed;
        }

        var c = CultureInfo.InvariantCulture;
        if (parse.GetValue(Json))
        {
            Console.Out.WriteLine(JsonOutput.Line(new Dictionary<string, object?>
            {
                ["records"] = report.Records,
                ["dimensions"] = report.Dimensions,
                ["format"] = report.Format == EmbeddingFileFormat.Npy ? "npy" : "jsonl",
                ["output"] = report.OutputPath,
                ["ids"] = report.IdsPath,
                ["model"] = state.Model,
                ["calls"] = report.Calls,
                ["seconds"] = Math.Round(report.Elapsed.TotalSeconds, 3),
            }));
        }
        else
        {
            string ids = report.IdsPath is null ? string.Empty : $" (ids in {report.IdsPath})";
            Console.Out.WriteLine(string.Create(c, $"sluice: embedded {report.Records:N0} texts with {state.Model} into {report.Dimensions}-dimensional vectors in {ProgressDisplay.Duration(report.Elapsed)} ({Rate(report)}/s): {report.OutputPath}{ids}"));
        }

        return ExitCodes.Success;
    }

    private static string Rate(FileEmbeddingReport report) =>
        (report.Records / Math.Max(report.Elapsed.TotalSeconds, 0.001)).ToString("N0", CultureInfo.InvariantCulture);

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }

    /// <summary>What the status line shows: texts done (within a call too, for the local model) and the batch size now.</summary>
    private sealed class EmbedStatus : IProgress<FileEmbeddingProgress>, IProgress<LocalEmbeddingProgress>
    {
        private long _done;
        private long _inCall;
        private long _total = -1;
        private long _started = TimeProvider.System.GetTimestamp();

        public string Model { get; set; } = "";

        public Func<int> GroupSize { get; set; } = () => 0;

        public void Report(FileEmbeddingProgress value)
        {
            Volatile.Write(ref _done, value.Embedded);
            Volatile.Write(ref _inCall, 0);
            Volatile.Write(ref _total, value.Total);
        }

        public void Report(LocalEmbeddingProgress value) => Volatile.Write(ref _inCall, value.Embedded);

        public string Line()
        {
            var c = CultureInfo.InvariantCulture;
            long done = Volatile.Read(ref _done) + Volatile.Read(ref _inCall);
            long total = Volatile.Read(ref _total);
            double seconds = TimeProvider.System.GetElapsedTime(_started).TotalSeconds;
            string of = total >= 0 ? string.Create(c, $"/{total:N0}") : string.Empty;
            int size = GroupSize();
            return string.Create(c, $"embedding: {done:N0}{of} texts, {done / Math.Max(seconds, 0.001):N0}/s, batch size {(size > 0 ? size.ToString(c) : "?")}, {Model}");
        }
    }
}
