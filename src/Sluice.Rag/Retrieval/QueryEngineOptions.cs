namespace Sluice.Rag;

/// <summary>Settings for <see cref="QueryEngine"/>. Every property has a documented, validated default.</summary>
public sealed record QueryEngineOptions
{
    /// <summary>Gets how many queries <see cref="QueryEngine.QueryManyAsync"/> retrieves together: their embeddings
    /// are made in groups and one batched search scores them all.</summary>
    /// <value>Default 512. Must be positive.</value>
    public int RetrievalGroupSize { get; init; } = 512;

    /// <summary>Gets how many queries <see cref="QueryEngine.QueryManyAsync"/> synthesizes at once (each answer may make
    /// several chat calls of its own, bounded by <see cref="SynthesizerOptions.MaxConcurrency"/>).</summary>
    /// <value>Default 8. Must be positive.</value>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Gets the clock of <see cref="QueryEngine.QueryManyAsync"/>'s batch (elapsed times).</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException"><see cref="TimeProvider"/> is null.</exception>
    public QueryEngineOptions Validate()
    {
        if (RetrievalGroupSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetrievalGroupSize), RetrievalGroupSize,
                $"QueryEngineOptions.{nameof(RetrievalGroupSize)} must be at least 1; it was {RetrievalGroupSize}.");
        }

        if (MaxConcurrency <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency,
                $"QueryEngineOptions.{nameof(MaxConcurrency)} must be at least 1; it was {MaxConcurrency}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException($"QueryEngineOptions.{nameof(TimeProvider)} must not be null.", nameof(TimeProvider));
        }

        return this;
    }
}
