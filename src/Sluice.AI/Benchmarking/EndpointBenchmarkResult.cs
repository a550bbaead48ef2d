namespace Sluice.AI;

/// <summary>What an <see cref="EndpointBenchmark"/> measured and what it recommends for <c>sluice run</c>.</summary>
public sealed record EndpointBenchmarkResult
{
    /// <summary>Gets the endpoint's address (scheme, host, port and path; never user-info or a query).</summary>
    public required string BaseUrl { get; init; }

    /// <summary>Gets the endpoint benchmarked.</summary>
    public required BenchmarkEndpoint Endpoint { get; init; }

    /// <summary>Gets the model the requests named.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the plan announced before anything was sent.</summary>
    public required BenchmarkPlan Plan { get; init; }

    /// <summary>Gets the concurrency sweep's steps, in order.</summary>
    public required IReadOnlyList<BenchmarkMeasurement> ConcurrencySteps { get; init; }

    /// <summary>Gets why the concurrency sweep stopped before its last planned step, or <see langword="null"/>.</summary>
    public string? ConcurrencyStopReason { get; init; }

    /// <summary>Gets the recommended concurrency (<c>sluice run --concurrency</c>) and why.</summary>
    public required BenchmarkChoice Concurrency { get; init; }

    /// <summary>Gets the group-size sweep's steps, in order (empty for chat).</summary>
    public IReadOnlyList<BenchmarkMeasurement> GroupSizeSteps { get; init; } = [];

    /// <summary>Gets why the group-size sweep stopped early or was not run, or <see langword="null"/>.</summary>
    public string? GroupSizeStopReason { get; init; }

    /// <summary>Gets the recommended texts per embeddings request and why; <see langword="null"/> for chat.</summary>
    public BenchmarkChoice? GroupSize { get; init; }

    /// <summary>Gets the requests sent, both sweeps together (each once: a benchmark does not retry).</summary>
    public int RequestsSent => ConcurrencySteps.Sum(s => s.Requests) + GroupSizeSteps.Sum(s => s.Requests);

    /// <summary>Gets the tokens (input and output) the successful answers reported, both sweeps together.</summary>
    public long TokensReported => ConcurrencySteps.Concat(GroupSizeSteps).Sum(s => s.InputTokens + s.OutputTokens);
}
