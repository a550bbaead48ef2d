namespace Sluice.AI;

/// <summary>Which setting a benchmark step varies.</summary>
public enum BenchmarkSweep
{
    /// <summary>The requests in flight at once (the group size stays fixed).</summary>
    Concurrency,

    /// <summary>The texts per embeddings request (the concurrency stays at the recommended one).</summary>
    GroupSize,
}
