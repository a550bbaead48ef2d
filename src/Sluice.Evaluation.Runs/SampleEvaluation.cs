using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// The sample of <c>sluice eval --sample</c>: <c>samples/rag</c> (60 documents about an invented water utility and 96
/// question/answer cases), ingested with the local model into an index file, incrementally (an unchanged corpus
/// makes no embedding call).
/// </summary>
public static class SampleEvaluation
{
    /// <summary>The index file of the sample, under <see cref="EvalRunDirectory.DefaultParent"/>: <c>sluice-eval/sample-rag.db</c>.</summary>
    public static string DefaultIndexPath { get; } = Path.Combine(EvalRunDirectory.DefaultParent, "sample-rag.db");

    /// <summary>Finds the sample: <c>samples/rag</c> beside the application (the command ships it), else under the
    /// current directory or one of its parents (a clone of the repository).</summary>
    /// <returns>The sample's folder (holding <c>corpus/</c> and <c>qa.jsonl</c>), or <see langword="null"/> when not found.</returns>
    public static string? FindSampleDirectory()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                string candidate = Path.Combine(directory.FullName, "samples", "rag");
                if (File.Exists(Path.Combine(candidate, "qa.jsonl")) && Directory.Exists(Path.Combine(candidate, "corpus")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Ingests the sample's <c>corpus/</c> into <paramref name="indexPath"/> with the local model; files that
    /// have not changed since the last ingestion are skipped.</summary>
    /// <param name="sampleDirectory">The sample's folder (<see cref="FindSampleDirectory"/>).</param>
    /// <param name="indexPath">The index file; created, with its folder, when missing.</param>
    /// <param name="generator">The local embedding model.</param>
    /// <param name="cancellationToken">Stops the ingestion.</param>
    /// <returns>The ingestion's counts and per-file errors.</returns>
    public static async Task<IngestionReport> IngestAsync(string sampleDirectory, string indexPath, LocalEmbeddingGenerator generator, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sampleDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(indexPath);
        ArgumentNullException.ThrowIfNull(generator);
        string full = Path.GetFullPath(indexPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var index = VectorIndex.Open(full);
        return await IngestionPipeline.Create(generator, index).IngestDirectoryAsync(Path.Combine(sampleDirectory, "corpus"), cancellationToken).ConfigureAwait(false);
    }
}
