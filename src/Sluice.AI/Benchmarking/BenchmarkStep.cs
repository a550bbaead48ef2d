namespace Sluice.AI;

/// <summary>One planned step of a benchmark sweep.</summary>
/// <param name="Concurrency">The requests in flight at once.</param>
/// <param name="GroupSize">The texts per request (1 for chat).</param>
/// <param name="Requests">The requests the step sends.</param>
/// <param name="EstimatedTokens">The tokens the step's requests may use at most: their input, plus <c>max_tokens</c> for chat.</param>
public sealed record BenchmarkStep(int Concurrency, int GroupSize, int Requests, long EstimatedTokens);
