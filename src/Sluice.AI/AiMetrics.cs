using System.Diagnostics.Metrics;

namespace Sluice.AI;

/// <summary>The throughput layer's instruments on the shared <c>Sluice</c> meter.</summary>
internal static class AiMetrics
{
    private static Meter Meter => SluiceDiagnostics.Meter;

    public static readonly Counter<long> Requests =
        Meter.CreateCounter<long>("sluice.ai.requests", "{request}", "Attempts sent to the provider, by kind and outcome.");

    public static readonly Counter<long> RateLimited =
        Meter.CreateCounter<long>("sluice.ai.rate_limited", "{response}", "HTTP 429 responses received.");

    public static readonly Counter<long> Retries =
        Meter.CreateCounter<long>("sluice.ai.retries", "{retry}", "Attempts retried after a transient failure.");

    public static readonly Counter<long> InputTokens =
        Meter.CreateCounter<long>("sluice.ai.tokens.input", "{token}", "Input tokens reported by the provider.");

    public static readonly Counter<long> OutputTokens =
        Meter.CreateCounter<long>("sluice.ai.tokens.output", "{token}", "Output tokens reported by the provider.");

    public static readonly Histogram<double> QueueWait =
        Meter.CreateHistogram<double>("sluice.ai.queue_wait", "s", "Time an attempt waited for rate budget and a concurrency slot.");

    public static readonly Gauge<int> ConcurrencyLimit =
        Meter.CreateGauge<int>("sluice.ai.concurrency.limit", "{request}", "The adaptive concurrency limit in force.");
}
