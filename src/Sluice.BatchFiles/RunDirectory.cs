namespace Sluice.BatchFiles;

/// <summary>
/// Where a run keeps its state: the directory <c>&lt;output&gt;.sluice/</c> beside the output file, holding
/// <c>journal.jsonl</c> (<see cref="RunJournal"/>), <c>manifest.json</c> (<see cref="RunManifest"/>),
/// <c>summary.json</c>, <c>timeline.jsonl</c> (<see cref="RunTimeline"/>) and <c>input-errors.json</c> (the validation errors in OpenAI's <c>errors</c> shape).
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string outputPath)
    {
        OutputPath = outputPath;
        Path = outputPath + ".sluice";
    }

    /// <summary>The run directory of the output file at <paramref name="outputPath"/>.</summary>
    /// <param name="outputPath">The output file's path.</param>
    /// <returns>The run directory (not created yet: see <see cref="Create"/>).</returns>
    public static RunDirectory ForOutput(string outputPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        return new RunDirectory(System.IO.Path.GetFullPath(outputPath));
    }

    /// <summary>The output file's full path.</summary>
    public string OutputPath { get; }

    /// <summary>The run directory's full path: <c>&lt;output&gt;.sluice</c>.</summary>
    public string Path { get; }

    /// <summary>The journal: <c>journal.jsonl</c>.</summary>
    public string JournalPath => System.IO.Path.Combine(Path, "journal.jsonl");

    /// <summary>The manifest: <c>manifest.json</c>.</summary>
    public string ManifestPath => System.IO.Path.Combine(Path, "manifest.json");

    /// <summary>The run's counts and outcome: <c>summary.json</c>, rewritten when the run ends or stops.</summary>
    public string SummaryPath => System.IO.Path.Combine(Path, "summary.json");

    /// <summary>The run's counts over time and its latency histogram: <c>timeline.jsonl</c> (<see cref="RunTimeline"/>).</summary>
    public string TimelinePath => System.IO.Path.Combine(Path, "timeline.jsonl");

    /// <summary>The input's validation errors: <c>input-errors.json</c>.</summary>
    public string InputErrorsPath => System.IO.Path.Combine(Path, "input-errors.json");

    /// <summary>The default errors file: the output path with <c>.errors.jsonl</c> in place of <c>.jsonl</c> (appended when it has another extension).</summary>
    public string DefaultErrorsPath =>
        OutputPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? OutputPath[..^".jsonl".Length] + ".errors.jsonl"
            : OutputPath + ".errors.jsonl";

    /// <summary>Creates the directory if it does not exist.</summary>
    public void Create() => Directory.CreateDirectory(Path);

    /// <summary>Writes <c>summary.json</c> (<see cref="SummaryPath"/>), whole or not at all (a temporary file renamed
    /// over the old one): <c>kind</c> <c>run</c>, the outcome, the files and their line counts, and the counts.</summary>
    /// <param name="outcome">How the run ended.</param>
    /// <param name="inputPath">The input file.</param>
    /// <param name="errorsPath">The errors file.</param>
    /// <param name="outputLines">The output file's line count, or <see langword="null"/> when the final files were not
    /// written (the run stopped early); the file paths are then left out too.</param>
    /// <param name="errorLines">The errors file's line count, or <see langword="null"/> likewise.</param>
    /// <param name="counts">The run's counts.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task WriteSummaryAsync(
        BatchRunOutcome outcome, string inputPath, string errorsPath, long? outputLines, long? errorLines, BatchRunSnapshot counts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorsPath);
        ArgumentNullException.ThrowIfNull(counts);
        bool written = outputLines is not null;
        var summary = new BatchRunSummary
        {
            Outcome = outcome switch
            {
                BatchRunOutcome.Succeeded => "succeeded",
                BatchRunOutcome.CompletedWithFailures => "completed_with_failures",
                BatchRunOutcome.InvalidInput => "invalid_input",
                _ => "interrupted",
            },
            Input = System.IO.Path.GetFullPath(inputPath),
            Output = written ? OutputPath : null,
            Errors = written ? System.IO.Path.GetFullPath(errorsPath) : null,
            OutputLines = outputLines,
            ErrorLines = errorLines,
            Counts = counts,
        };
        string temporary = SummaryPath + ".partial";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            await System.Text.Json.JsonSerializer.SerializeAsync(stream, summary, BatchRunSummary.JsonInfo, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, SummaryPath, overwrite: true);
    }
}
