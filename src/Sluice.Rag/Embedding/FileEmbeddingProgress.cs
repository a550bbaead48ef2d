namespace Sluice.Rag;

/// <summary>Progress of a <see cref="FileEmbedder"/> run, reported after each call to the generator.</summary>
/// <param name="Embedded">Texts embedded and written so far.</param>
/// <param name="Total">Texts in the input.</param>
/// <param name="GroupSize">The generator's group size ("batch size") now: the local model's adaptive size, a remote
/// generator's adaptive request size (<c>UseSluiceGrouping</c>), or 0 when the generator has none.</param>
/// <param name="Calls">Calls made to the generator so far.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct FileEmbeddingProgress(long Embedded, long Total, int GroupSize, long Calls, TimeSpan Elapsed);
