using Microsoft.Extensions.AI;
using Sluice.BatchFiles;
using Sluice.Rag;

namespace Sluice.Evaluation.Runs;

/// <summary>What an <see cref="EvalJob"/> evaluates, with what, and where it writes.</summary>
public sealed record EvalJobOptions
{
    /// <summary>Gets the dataset file (see <see cref="EvalDataset"/>). Required.</summary>
    public required string DatasetPath { get; init; }

    /// <summary>Gets the run directory (see <see cref="EvalRunDirectory"/>). Required.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Gets the vector index file (made by ingestion with the local model), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>: no retrieval; the passages are each case's <c>contexts</c>. With an index,
    /// every case's query is retrieved live (top <see cref="TopK"/>), and retrieval metrics compare the retrieved document
    /// ids (with or without their file extension) against <c>relevant_ids</c>.</value>
    public string? IndexPath { get; init; }

    /// <summary>Gets the evaluator names to run (see <see cref="EvaluatorCatalog.Names"/>), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>: every evaluator that can run, the others reported as skipped with the reason.
    /// A named evaluator that cannot run is refused (<see cref="EvalRunRefusedException"/>).</value>
    public IReadOnlyList<string>? Evaluators { get; init; }

    /// <summary>Gets the chat model that judges (and, with an index, generates the answers), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>: no LLM judge runs, and the response evaluated is each case's <c>response</c>.</value>
    public IChatClient? ChatClient { get; init; }

    /// <summary>Gets how answers are synthesized from the retrieved passages when there is a chat model and an index.</summary>
    /// <value>Default <see cref="SynthesisMode.Compact"/>.</value>
    public SynthesisMode SynthesisMode { get; init; } = SynthesisMode.Compact;

    /// <summary>Gets the settings that change results and are not in the options above (the chat model's base URL and
    /// name, the name of the API key's variable), recorded in the manifest and compared on resume. Never a secret.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Gets whether to continue the run in <see cref="RunDirectory"/>: nothing it journalled is asked again.</summary>
    /// <value>Default <see langword="false"/>: a directory holding an earlier run is refused.</value>
    public bool Resume { get; init; }

    /// <summary>Gets the largest number of answers, or of evaluations, in progress at once.</summary>
    /// <value>Default 8. Must be at least 1.</value>
    public int Workers { get; init; } = 8;

    /// <summary>Gets the passages retrieved per query.</summary>
    /// <value>Default 4. Must be at least 1.</value>
    public int TopK { get; init; } = 4;

    /// <summary>Gets the embedding model for retrieval and semantic similarity, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>: the local MiniLM model, loaded by the job only when a chosen evaluator or
    /// the index needs it. It must be the model the index was built with.</value>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    /// <summary>Gets how the journal is made durable.</summary>
    /// <value>Default: flushed to the disk (<see cref="RunJournalOptions.FlushToDisk"/>).</value>
    public RunJournalOptions Journal { get; init; } = new();

    /// <summary>Gets where progress lines go, or <see langword="null"/> for none.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public TextWriter? ProgressWriter { get; init; }

    /// <summary>Gets the clock for elapsed times and the manifest.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
