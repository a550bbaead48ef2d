namespace Sluice.AI;

/// <summary>
/// What a benchmark will send, known before it sends anything: the concurrency sweep's steps, and a bound on the
/// group-size sweep (whose concurrency is the one the first sweep recommends). A sweep that stops early sends less.
/// </summary>
public sealed record BenchmarkPlan
{
    /// <summary>Gets the steps of the concurrency sweep, in order.</summary>
    public required IReadOnlyList<BenchmarkStep> ConcurrencySteps { get; init; }

    /// <summary>Gets the concurrencies left out because they would pass <see cref="EndpointBenchmarkOptions.MaxRequests"/>.</summary>
    public required IReadOnlyList<int> DroppedConcurrencies { get; init; }

    /// <summary>Gets the group sizes the embeddings benchmark sweeps after the concurrency sweep (empty for chat).</summary>
    public required IReadOnlyList<int> GroupSizes { get; init; }

    /// <summary>Gets the most requests the group-size sweep may send (0 for chat).</summary>
    public required int GroupSweepMaxRequests { get; init; }

    /// <summary>Gets the requests of the concurrency sweep if it runs to its end.</summary>
    public int ConcurrencyRequests => ConcurrencySteps.Sum(s => s.Requests);

    /// <summary>Gets the most requests the benchmark sends, both sweeps together.</summary>
    public int MaxRequests => ConcurrencyRequests + GroupSweepMaxRequests;

    /// <summary>Gets the most tokens the concurrency sweep's requests may use (input, plus <c>max_tokens</c> for chat).</summary>
    public long ConcurrencyEstimatedTokens => ConcurrencySteps.Sum(s => s.EstimatedTokens);

    /// <summary>Gets the most tokens the group-size sweep's requests may use (0 for chat).</summary>
    public required long GroupSweepEstimatedTokens { get; init; }

    /// <summary>Gets the most tokens the benchmark's requests may use.</summary>
    public long MaxEstimatedTokens => ConcurrencyEstimatedTokens + GroupSweepEstimatedTokens;
}
