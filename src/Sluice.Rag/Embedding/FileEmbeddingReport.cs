namespace Sluice.Rag;

/// <summary>What a <see cref="FileEmbedder"/> run wrote.</summary>
/// <param name="Records">Vectors written (one per input record, in input order).</param>
/// <param name="Dimensions">The vectors' length (0 when the input had no records).</param>
/// <param name="Format">The output format.</param>
/// <param name="OutputPath">The vectors file.</param>
/// <param name="IdsPath">The sidecar ids file of an <c>.npy</c> output, else <see langword="null"/>.</param>
/// <param name="Calls">Calls made to the generator.</param>
/// <param name="Elapsed">The run's duration, the validation pass included.</param>
public sealed record FileEmbeddingReport(long Records, int Dimensions, EmbeddingFileFormat Format, string OutputPath, string? IdsPath, long Calls, TimeSpan Elapsed);
