namespace Sluice.Rag;

/// <summary>Settings for <see cref="IngestionPipeline"/>. Every property has a documented, validated default.</summary>
public sealed record IngestionOptions
{
    /// <summary>Gets how documents are split into chunks.</summary>
    /// <value>Default <c>new SentenceSplitterOptions()</c>: 240 tokens per chunk, 32 tokens of overlap.</value>
    public SentenceSplitterOptions Splitter { get; init; } = new();

    /// <summary>Gets how a directory is read (<see cref="IngestionPipeline.IngestDirectoryAsync"/>).</summary>
    /// <value>Default <c>new DirectoryReaderOptions()</c>.</value>
    public DirectoryReaderOptions Reader { get; init; } = new();

    /// <summary>Gets the transformations applied to every chunk after splitting, in this order (for example, prepend
    /// the title or add a summary). They are code, so they cannot be hashed: change <see cref="VersionTag"/> when you
    /// change them, or unchanged documents keep their old chunks.</summary>
    /// <value>Default none.</value>
    public IReadOnlyList<Func<DocumentChunk, DocumentChunk>> Transforms { get; init; } = [];

    /// <summary>Gets a free text folded into every document's version; changing it re-ingests every document.</summary>
    /// <value>Default empty.</value>
    public string VersionTag { get; init; } = "";

    /// <summary>Gets the embedding cache, or <see langword="null"/> for none. With a cache, re-ingesting changed
    /// documents embeds only their new chunks, and a rebuilt index costs no embedding calls.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public EmbeddingCache? Cache { get; init; }

    /// <summary>Gets the most texts in one embedding call (a group). Large calls let the local generator sort more
    /// texts by length and keep its cores busy; a remote model's throughput layer splits a call as its provider needs.</summary>
    /// <value>Default 1,024.</value>
    public int MaxGroupTexts { get; init; } = 1_024;

    /// <summary>Gets the most tokens (as the splitter counts them) in one embedding call.</summary>
    /// <value>Default 131,072.</value>
    public int MaxGroupTokens { get; init; } = 131_072;

    /// <summary>Gets how many groups are embedded and written at once. The local generator shares its ONNX runs among
    /// calls, so 2 keeps its cores busy while another group is read or written; a remote model gains from more.</summary>
    /// <value>Default 2.</value>
    public int MaxConcurrency { get; init; } = 2;

    /// <summary>Gets whether documents the index holds but this run did not see (a deleted file, a removed record) are
    /// deleted after a complete run. A file that failed to read keeps its documents. Assumes the index holds this one corpus.</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool Prune { get; init; }

    /// <summary>Gets where to report progress (after each group and each error, and at most every 0.2 s while documents are read and split, and once reading is done; from the run's threads, possibly two at
    /// once: use a thread-safe receiver such as <see cref="Progress{T}"/>), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<IngestionProgress>? Progress { get; init; }

    /// <summary>Gets the clock for elapsed times.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public IngestionOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Splitter);
        Splitter.Validate();
        ArgumentNullException.ThrowIfNull(Reader);
        Reader.Validate();
        ArgumentNullException.ThrowIfNull(Transforms);
        ArgumentNullException.ThrowIfNull(VersionTag);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxGroupTexts);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxGroupTokens, Splitter.ChunkTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrency);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
