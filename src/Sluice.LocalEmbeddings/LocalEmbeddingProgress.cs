namespace Sluice.LocalEmbeddings;

/// <summary>Progress of one <see cref="LocalEmbeddingGenerator.GenerateAsync"/> call, reported after each group.</summary>
/// <param name="Embedded">Texts embedded so far in this call.</param>
/// <param name="Total">Texts in this call.</param>
/// <param name="GroupSize">The group size ("batch size") in force now: the adaptive sizer's choice, or the fixed size.</param>
/// <param name="Truncated">Texts in this call cut to <see cref="LocalEmbeddingOptions.MaxTokens"/> so far.</param>
public readonly record struct LocalEmbeddingProgress(int Embedded, int Total, int GroupSize, int Truncated);
