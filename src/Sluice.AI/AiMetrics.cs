using System.Diagnostics.Metrics;

namespace Sluice.AI;

/// <summary>
/// The throughput layer's instruments on the shared <c>Sluice</c> meter. Each layer records here itself, so a stack
/// built from single-layer doors reports as much as the whole stack; a <see cref="UsageLedger"/>, when the stack has
/// one, receives the same counts.
/// </summary>
internal static class AiMetrics
{
    private static Meter Meter => SluiceDiagnostics.Meter;

    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>("sluice.ai.requests", "{request}", "Attempts sent to the provider, by kind and outcome.");

    private static readonly Counter<long> RateLimited =
        Meter.CreateCounter<long>("sluice.ai.rate_limited", "{response}", "HTTP 429 responses received.");

    private static readonly Counter<long> Retries =
        Meter.CreateCounter<long>("sluice.ai.retries", "{retry}", "Attempts retried after a transient failure.");

    private static readonly Counter<long> InputTokens =
        Meter.CreateCounter<long>("sluice.ai.tokens.input", "{token}", "Input tokens reported by the provider.");

    private static readonly Counter<long> OutputTokens =
        Meter.CreateCounter<long>("sluice.ai.tokens.output", "{token}", "Output tokens reported by the provider.");

    private static readonly Histogram<double> QueueWait =
        Meter.CreateHistogram<double>("sluice.ai.queue_wait", "s", "Time an attempt waited for rate budget or a concurrency slot, by stage.");

    private static readonly Gauge<int> ConcurrencyLimit =
        Meter.CreateGauge<int>("sluice.ai.concurrency.limit", "{request}", "The concurrency limit in force.");

    private static readonly Counter<long> GroupSplits =
        Meter.CreateCounter<long>("sluice.embeddings.group.splits", "{group}", "Groups the provider rejected as too large and that were split in halves.");

    private static readonly Counter<long> InputsTruncated =
        Meter.CreateCounter<long>("sluice.embeddings.group.truncated", "{input}", "Inputs cut to the provider's tokens-per-input limit.");

    public static void Attempt(UsageLedger? ledger, string kind, bool succeeded)
    {
        ledger?.CountAttempt();
        Requests.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure"));
    }

    public static void Retry(UsageLedger? ledger)
    {
        ledger?.CountRetry();
        Retries.Add(1);
    }

    public static void TooManyRequests(UsageLedger? ledger)
    {
        ledger?.CountRateLimited();
        RateLimited.Add(1);
    }

    public static void Tokens(UsageLedger? ledger, long? input, long? output)
    {
        ledger?.CountTokens(input, output);
        if (input is > 0)
        {
            InputTokens.Add(input.Value);
        }

        if (output is > 0)
        {
            OutputTokens.Add(output.Value);
        }
    }

    public static void Waited(TimeSpan wait, string stage) =>
        QueueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));

    public static void Limit(int limit) => ConcurrencyLimit.Record(limit);

    /// <summary>The grouping layer split a group the provider rejected as too large (the chosen group size itself is
    /// the engine's <c>sluice.group.size</c>, tag <c>sluice.group.sizer</c> = <c>remote-embeddings</c> by default).</summary>
    public static void GroupSplit() => GroupSplits.Add(1);

    /// <summary>The grouping layer cut an input to the provider's tokens-per-input limit.</summary>
    public static void InputTruncated() => InputsTruncated.Add(1);
}
