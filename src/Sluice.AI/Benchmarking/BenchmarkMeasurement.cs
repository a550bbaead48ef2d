namespace Sluice.AI;

/// <summary>
/// What one step of a benchmark sweep measured: a fixed number of requests sent at a fixed concurrency (and group
/// size), each sent once (no retries, so a 429 is counted, not hidden). Throughputs count successes only; latency
/// percentiles are those of the successful requests, from the request entering Sluice's throughput handler to its
/// answer read in full (waits for the rate budget included, as <c>sluice run</c> would see them).
/// </summary>
public sealed record BenchmarkMeasurement
{
    /// <summary>Gets which setting this step varies.</summary>
    public BenchmarkSweep Sweep { get; init; }

    /// <summary>Gets the requests in flight at once.</summary>
    public int Concurrency { get; init; }

    /// <summary>Gets the texts per request (1 for chat).</summary>
    public int GroupSize { get; init; } = 1;

    /// <summary>Gets the requests sent.</summary>
    public int Requests { get; init; }

    /// <summary>Gets the requests answered with a success.</summary>
    public int Succeeded { get; init; }

    /// <summary>Gets the requests answered 429.</summary>
    public int RateLimited { get; init; }

    /// <summary>Gets the requests that failed otherwise (another status, a timeout, a dropped connection).</summary>
    public int Failed { get; init; }

    /// <summary>Gets the failures by kind: the HTTP status (<c>"500"</c>), <c>"timeout"</c> or <c>"connection"</c>; 429s are not listed.</summary>
    public IReadOnlyDictionary<string, int> FailedByKind { get; init; } = new Dictionary<string, int>();

    /// <summary>Gets the seconds from the first request sent to the last answer.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Gets the length of the steady-state window in seconds: from the <see cref="Concurrency"/>-th answer (the
    /// start-up: the first requests carry connection set-up and warm-up) to the last answer; 0 when the step sent no more
    /// requests than its concurrency, and throughputs then use <see cref="ElapsedSeconds"/>.</summary>
    public double SteadySeconds { get; init; }

    /// <summary>Gets the successes answered inside the steady-state window (after the start-up).</summary>
    public int SteadySucceeded { get; init; }

    /// <summary>Gets the input (prompt) tokens the successful answers reported.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output (completion) tokens the successful answers reported.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the median latency of the successes in milliseconds, or <see langword="null"/> when none succeeded.</summary>
    public double? LatencyP50Ms { get; init; }

    /// <summary>Gets the 90th-percentile latency of the successes in milliseconds, or <see langword="null"/>.</summary>
    public double? LatencyP90Ms { get; init; }

    /// <summary>Gets the 99th-percentile latency of the successes in milliseconds, or <see langword="null"/>.</summary>
    public double? LatencyP99Ms { get; init; }

    /// <summary>Gets the successful requests per second, in the steady-state window when there is one.</summary>
    public double RequestsPerSecond => Steady ? SteadySucceeded / SteadySeconds : Per(Succeeded);

    /// <summary>Gets the texts of successful requests per second (<see cref="RequestsPerSecond"/> × <see cref="GroupSize"/>):
    /// the throughput the recommendation compares.</summary>
    public double InputsPerSecond => RequestsPerSecond * GroupSize;

    /// <summary>Gets the reported tokens (input and output) of successful requests per second: the tokens per success
    /// times <see cref="RequestsPerSecond"/>.</summary>
    public double TokensPerSecond => Succeeded > 0 ? (double)(InputTokens + OutputTokens) / Succeeded * RequestsPerSecond : 0;

    /// <summary>Gets the share of requests answered 429.</summary>
    public double RateLimitedShare => Share(RateLimited);

    /// <summary>Gets the share of requests that failed otherwise.</summary>
    public double ErrorShare => Share(Failed);

    /// <summary>Gets the share of requests refused (429) or failed.</summary>
    public double RejectedShare => Share(RateLimited + Failed);

    /// <summary>Gets the setting this step varies, as words: <c>concurrency 32</c> or <c>group size 64</c>.</summary>
    public string Setting => Sweep == BenchmarkSweep.Concurrency ? $"concurrency {Concurrency}" : $"group size {GroupSize}";

    private bool Steady => SteadySeconds > 0 && SteadySucceeded > 0;

    private double Per(double count) => ElapsedSeconds > 0 ? count / ElapsedSeconds : 0;

    private double Share(int count) => Requests > 0 ? (double)count / Requests : 0;
}
