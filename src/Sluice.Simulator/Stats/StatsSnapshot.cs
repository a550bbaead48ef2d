namespace Sluice.Simulator;

/// <summary>The counters of <c>GET /stats</c> since the start or the last reset.</summary>
public sealed record StatsSnapshot
{
    /// <summary>Seconds since the start or the last reset.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Requests received (all endpoints except /stats and /admin).</summary>
    public long Requests { get; init; }

    /// <summary>Requests by endpoint name (<c>chat</c>, <c>embeddings</c>, <c>models</c>, <c>search</c>, <c>extract</c>) and then by status code as a string; dropped and hung requests count under <c>"0"</c>.</summary>
    public Dictionary<string, Dictionary<string, long>> ByEndpoint { get; init; } = new();

    /// <summary>Requests being served right now.</summary>
    public long InFlight { get; init; }

    /// <summary>Most requests served at once.</summary>
    public long PeakInFlight { get; init; }

    /// <summary>429 answers sent.</summary>
    public long RateLimited { get; init; }

    /// <summary>Faults injected, by <see cref="FaultKind"/> name.</summary>
    public Dictionary<string, long> Faults { get; init; } = new();

    /// <summary>Distinct request bodies received.</summary>
    public long DistinctBodies { get; init; }

    /// <summary>Distinct request bodies received more than once.</summary>
    public long DuplicateBodies { get; init; }

    /// <summary>Distinct request bodies answered with at least one 200 (malformed 200s excluded).</summary>
    public long DistinctSucceeded { get; init; }

    /// <summary>Distinct request bodies answered with 200 more than once.</summary>
    public long SucceededMoreThanOnce { get; init; }

    /// <summary>Requests received in each second since the start or the last reset (index = second).</summary>
    public long[] PerSecond { get; init; } = [];

    /// <summary>Achieved latency of successful chat and embedding answers.</summary>
    public LatencySummary Latency { get; init; } = new();

    /// <summary>Prompt tokens of successful answers.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens of successful answers.</summary>
    public long CompletionTokens { get; init; }
}

/// <summary>Percentiles of the achieved (measured) latency, in milliseconds.</summary>
public sealed record LatencySummary
{
    /// <summary>Samples (the most recent 200,000 at most).</summary>
    public long Count { get; init; }
    /// <summary>Mean.</summary>
    public double MeanMs { get; init; }
    /// <summary>Median.</summary>
    public double P50Ms { get; init; }
    /// <summary>90th percentile.</summary>
    public double P90Ms { get; init; }
    /// <summary>99th percentile.</summary>
    public double P99Ms { get; init; }
    /// <summary>Maximum.</summary>
    public double MaxMs { get; init; }
}
