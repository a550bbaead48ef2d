using System.Globalization;
using Sluice.BatchFiles;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// Where an <see cref="EvalJob"/> keeps its state and results: <c>summary.json</c>, <c>results.jsonl</c>,
/// <c>results.csv</c>, <c>journal.jsonl</c>, <c>manifest.json</c>, <c>timeline.jsonl</c> and <c>run.lock</c>. <c>sluice report</c> reads it.
/// </summary>
public sealed class EvalRunDirectory
{
    /// <summary>The folder, under the current directory, that holds default run directories: <c>sluice-eval</c>.</summary>
    public const string DefaultParent = "sluice-eval";

    /// <summary>Names an existing or new run directory.</summary>
    /// <param name="path">The directory.</param>
    public EvalRunDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Gets the directory's full path.</summary>
    public string Path { get; }

    /// <summary>Gets <c>summary.json</c>: the run's kind, dataset, index, evaluators run and skipped, and per-evaluator figures.</summary>
    public string SummaryPath => Combine("summary.json");

    /// <summary>Gets <c>results.jsonl</c>: one <see cref="EvalRecord"/> per case and evaluator, with <c>case_id</c> and <c>line</c>.</summary>
    public string ResultsJsonPath => Combine("results.jsonl");

    /// <summary>Gets <c>results.csv</c>: the same records as CSV.</summary>
    public string ResultsCsvPath => Combine("results.csv");

    /// <summary>Gets <c>journal.jsonl</c>: every finished answer and outcome, flushed before it counts.</summary>
    public string JournalPath => Combine("journal.jsonl");

    /// <summary>Gets <c>manifest.json</c>: what the results depend on (the dataset's SHA-256, the settings).</summary>
    public string ManifestPath => Combine("manifest.json");

    /// <summary>Gets <c>timeline.jsonl</c> (<see cref="RunTimeline"/>): the run's counts over time, a session per run
    /// and per resume, and the chat model's call and HTTP attempt latencies.</summary>
    public string TimelinePath => Combine("timeline.jsonl");

    /// <summary>Gets <c>run.lock</c>: held while a run uses the directory.</summary>
    public string LockPath => Combine(RunLock.FileName);

    /// <summary>A new run directory for a dataset: <c>&lt;parent&gt;/&lt;dataset file name without extension&gt;-&lt;yyyyMMdd-HHmmss-fff&gt;</c> (UTC), with <c>-2</c>, <c>-3</c>… added when that name is taken.</summary>
    /// <param name="datasetPath">The dataset file.</param>
    /// <param name="now">The time to stamp it with.</param>
    /// <param name="parent">The folder to put it in; default <see cref="DefaultParent"/> under the current directory.</param>
    /// <returns>The run directory (not created).</returns>
    public static EvalRunDirectory CreateDefault(string datasetPath, DateTimeOffset now, string? parent = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetPath);
        string stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        string path = System.IO.Path.Combine(parent ?? DefaultParent, $"{Stem(datasetPath)}-{stamp}");

        // Two evals started in the same millisecond must not share a directory (the second would find it locked).
        for (int n = 2; Directory.Exists(path) || File.Exists(path); n++)
        {
            path = System.IO.Path.Combine(parent ?? DefaultParent, string.Create(CultureInfo.InvariantCulture, $"{Stem(datasetPath)}-{stamp}-{n}"));
        }

        return new EvalRunDirectory(path);
    }

    /// <summary>The newest run directory of a dataset under <paramref name="parent"/> (one holding a manifest), for a
    /// resume that names no directory.</summary>
    /// <param name="datasetPath">The dataset file.</param>
    /// <param name="parent">The folder of run directories; default <see cref="DefaultParent"/>.</param>
    /// <returns>The directory, or <see langword="null"/> when there is none.</returns>
    public static EvalRunDirectory? FindLatest(string datasetPath, string? parent = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetPath);
        string folder = parent ?? DefaultParent;
        if (!Directory.Exists(folder))
        {
            return null;
        }

        string? latest = Directory.EnumerateDirectories(folder, Stem(datasetPath) + "-*")
            .Where(static d => File.Exists(System.IO.Path.Combine(d, "manifest.json")))
            .Order(StringComparer.Ordinal)
            .LastOrDefault();
        return latest is null ? null : new EvalRunDirectory(latest);
    }

    private static string Stem(string datasetPath) => System.IO.Path.GetFileNameWithoutExtension(datasetPath);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
