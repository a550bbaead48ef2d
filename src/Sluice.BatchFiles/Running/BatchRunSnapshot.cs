using System.Text.Json.Serialization;

namespace Sluice.BatchFiles;

/// <summary>The counts of a <c>sluice run</c> at one moment: what the live display shows and <c>summary.json</c> holds.</summary>
public sealed record BatchRunSnapshot
{
    /// <summary>Gets the items of the run: the input's valid requests plus, with <c>--skip-invalid</c>, its invalid lines
    /// that carry a <c>custom_id</c>; <see langword="null"/> until the input was read.</summary>
    [JsonPropertyName("total")]
    public long? Total { get; init; }

    /// <summary>Gets the items done before this run started (from the journal, on <c>--resume</c>).</summary>
    [JsonPropertyName("resumed")]
    public long Resumed { get; init; }

    /// <summary>Gets the items done in all: <see cref="Resumed"/> plus this run's successes and failures.</summary>
    [JsonPropertyName("done")]
    public long Done { get; init; }

    /// <summary>Gets the items this run completed with a success.</summary>
    [JsonPropertyName("succeeded")]
    public long Succeeded { get; init; }

    /// <summary>Gets the items this run completed with a failure (an HTTP error after every retry, a timeout, an
    /// invalid line with <c>--skip-invalid</c>).</summary>
    [JsonPropertyName("failed")]
    public long Failed { get; init; }

    /// <summary>Gets the items not sent because <c>--max-cost</c> was reached.</summary>
    [JsonPropertyName("not_sent")]
    public long NotSent { get; init; }

    /// <summary>Gets the requests in flight now: sent and not yet answered, the slots of <see cref="ConcurrencyLimit"/>
    /// held. Without a known limit, the items being worked on (admitted and not yet journalled).</summary>
    /// <remarks>The engine admits more items than the limit (<see cref="BatchRunOptions.MaxInFlight"/>) so that a freed
    /// slot is taken at once; those waiting for a slot are not in flight.</remarks>
    [JsonPropertyName("in_flight")]
    public long InFlight { get; init; }

    /// <summary>Gets the HTTP client's concurrency limit now (0 when unknown).</summary>
    [JsonPropertyName("concurrency_limit")]
    public int ConcurrencyLimit { get; init; }

    /// <summary>Gets the attempts retried.</summary>
    [JsonPropertyName("retries")]
    public long Retries { get; init; }

    /// <summary>Gets the 429 responses received.</summary>
    [JsonPropertyName("rate_limited")]
    public long RateLimited { get; init; }

    /// <summary>Gets the requests answered from the cache.</summary>
    [JsonPropertyName("cache_hits")]
    public long CacheHits { get; init; }

    /// <summary>Gets the input tokens the provider reported for this run's successes.</summary>
    [JsonPropertyName("input_tokens")]
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens the provider reported for this run's successes.</summary>
    [JsonPropertyName("output_tokens")]
    public long OutputTokens { get; init; }

    /// <summary>Gets this run's cost in dollars, or <see langword="null"/> when some model has no price.</summary>
    [JsonPropertyName("cost_usd")]
    public decimal? Cost { get; init; }

    /// <summary>Gets the time since the run started.</summary>
    [JsonIgnore]
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the seconds since the run started.</summary>
    [JsonPropertyName("elapsed_seconds")]
    public double ElapsedSeconds => Math.Round(Elapsed.TotalSeconds, 3);

    /// <summary>Gets this run's items per second so far.</summary>
    [JsonPropertyName("items_per_second")]
    public double ItemsPerSecond => Elapsed > TimeSpan.Zero ? Math.Round((Succeeded + Failed) / Elapsed.TotalSeconds, 2) : 0;

    /// <summary>Gets the output tokens per minute so far.</summary>
    [JsonPropertyName("output_tokens_per_minute")]
    public double OutputTokensPerMinute => Elapsed > TimeSpan.Zero ? Math.Round(OutputTokens / Elapsed.TotalMinutes, 1) : 0;

    /// <summary>Gets the time left at the current rate, or <see langword="null"/> when unknown.</summary>
    [JsonIgnore]
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            double rate = ItemsPerSecond;
            return Total is { } total && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - Done - NotSent) / rate) : null;
        }
    }
}
