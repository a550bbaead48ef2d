using Microsoft.Extensions.AI;
using Sluice.LocalEmbeddings;

namespace Sluice.Rag;

/// <summary>
/// Ingests a corpus into a <see cref="VectorIndex"/>: read → split (→ transforms) → embed → write, streamed through
/// the engine (<see cref="Batch.ProcessAsync{TIn, TOut}(IAsyncEnumerable{TIn}, Func{TIn, CancellationToken, ValueTask{TOut}}, BatchOptions?, CancellationToken)"/>)
/// so a corpus of any size runs in bounded memory. Each document is upserted whole: its new version is embedded and
/// written, then its old version deleted, so a failure part-way leaves the old version searchable (the documents of
/// one group share the write transaction and the delete transaction; a transaction never holds part of a document). A document whose version
/// (its content, title and source, the chunking settings, the model's identity and <see cref="IngestionOptions.VersionTag"/>)
/// is already in the index is skipped without splitting or embedding.
/// </summary>
/// <remarks>
/// <para>Chunks of many documents travel together in groups bounded by <see cref="IngestionOptions.MaxGroupTexts"/> and
/// <see cref="IngestionOptions.MaxGroupTokens"/>, <see cref="IngestionOptions.MaxConcurrency"/> groups at once. For a
/// remote model, pass a generator built with Sluice.AI's throughput stack (<c>UseSluiceThroughput</c>) so the calls are
/// throttled, retried and budgeted.</para>
/// <para>Every chunk is stored under the key <c>{document id}#{version prefix}#{position}</c> with the metadata
/// <c>document_id</c>, <c>source</c>, <c>title</c>, <c>position</c> and <c>version</c>.</para>
/// <para>One pipeline may run many times, one run at a time per index.</para>
/// </remarks>
public sealed class IngestionPipeline
{
    /// <summary>The metadata field holding a chunk's document id.</summary>
    public const string DocumentIdField = "document_id";

    /// <summary>The metadata field holding a chunk's source file (relative to the corpus root).</summary>
    public const string SourceField = "source";

    /// <summary>The metadata field holding a chunk's document title.</summary>
    public const string TitleField = "title";

    /// <summary>The metadata field holding a chunk's zero-based position in its document.</summary>
    public const string PositionField = "position";

    /// <summary>The metadata field holding a chunk's document version (a SHA-256, 64 hex digits).</summary>
    public const string VersionField = "version";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly Func<string, int> _countTokens;

    /// <summary>Creates a pipeline.</summary>
    /// <param name="generator">The embedding model (local, or remote behind the throughput stack).</param>
    /// <param name="model">The model's identity, which keys the cache and the versions.</param>
    /// <param name="countTokens">The model's own token counter (markers included), used to size chunks and groups.</param>
    /// <param name="index">Where chunks are written.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public IngestionPipeline(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        EmbeddingModelIdentity model,
        Func<string, int> countTokens,
        VectorIndex index,
        IngestionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(countTokens);
        ArgumentNullException.ThrowIfNull(index);
        _generator = generator;
        _countTokens = countTokens;
        Model = model;
        Index = index;
        Options = (options ?? new IngestionOptions()).Validate();
        Splitter = new SentenceSplitter(countTokens, Options.Splitter);
        SettingsKey = DocumentVersion.SettingsKey(model, Options);
    }

    /// <summary>Gets the model's identity.</summary>
    public EmbeddingModelIdentity Model { get; }

    /// <summary>Gets the index chunks are written to.</summary>
    public VectorIndex Index { get; }

    /// <summary>Gets the settings in force.</summary>
    public IngestionOptions Options { get; }

    /// <summary>Gets the splitter, built from <see cref="IngestionOptions.Splitter"/> and the model's tokenizer.</summary>
    public SentenceSplitter Splitter { get; }

    internal string SettingsKey { get; }

    /// <summary>A pipeline over the local MiniLM model: its identity and tokenizer come from <paramref name="generator"/>.</summary>
    /// <param name="generator">The local generator.</param>
    /// <param name="index">Where chunks are written.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <returns>The pipeline.</returns>
    public static IngestionPipeline Create(LocalEmbeddingGenerator generator, VectorIndex index, IngestionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new IngestionPipeline(generator, EmbeddingModelIdentity.Of(generator), generator.CountTokens, index, options);
    }

    /// <summary>Reads every supported file under <paramref name="root"/> (<see cref="DirectoryReader"/>, with
    /// <see cref="IngestionOptions.Reader"/>) and ingests it.</summary>
    /// <param name="root">The corpus root; document ids are paths relative to it.</param>
    /// <param name="cancellationToken">Stops the run; what was written stays written, nothing is pruned.</param>
    /// <returns>The report: counts and every error.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public Task<IngestionReport> IngestDirectoryAsync(string root, CancellationToken cancellationToken = default)
    {
        var reader = new DirectoryReader(root, Options.Reader);
        if (!Directory.Exists(reader.Root))
        {
            throw new DirectoryNotFoundException($"The corpus directory '{reader.Root}' does not exist.");
        }

        return IngestAsync(reader.ReadAsync(cancellationToken), cancellationToken);
    }

    /// <summary>Ingests documents from any reader. A document id seen twice in one run is an error for the second.</summary>
    /// <param name="documents">The read outcomes, pulled lazily.</param>
    /// <param name="cancellationToken">Stops the run; what was written stays written, nothing is pruned.</param>
    /// <returns>The report: counts and every error.</returns>
    public Task<IngestionReport> IngestAsync(IAsyncEnumerable<ReadOutcome> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return new IngestionRun(this, _generator, _countTokens).RunAsync(documents, cancellationToken);
    }
}
