using Polly;

namespace Sluice.AI;

/// <summary>What the whole stack's layers share, for chat and embeddings alike: the lane (the caller's, or one of the
/// client's own), one ledger, the retry pipeline that reports into it, the attempt timeout and the clock.</summary>
internal sealed class ThroughputParts
{
    private ThroughputParts(ProviderLane lane, SluiceClientOptions options)
    {
        Lane = lane;
        Time = options.TimeProvider;
        Retry = SluiceRetryResiliencePipelineBuilderExtensions.CreatePipeline(options.Retry, Time, Ledger);
        Timeout = options.AttemptTimeout.Timeout;
        MaxPause = options.Retry.MaxDelay;
    }

    /// <summary>The longest a 429 pauses the lane: no longer than the retry itself would wait.</summary>
    public TimeSpan MaxPause { get; }

    public ProviderLane Lane { get; }

    public UsageLedger Ledger { get; } = new();

    public ResiliencePipeline Retry { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider Time { get; }

    /// <summary>Checks <paramref name="options"/> and gathers the parts; opens a lane of the client's own when none is given.</summary>
    public static ThroughputParts Create(ProviderLane? lane, SluiceClientOptions options)
    {
        options.Validate();
        return new ThroughputParts(lane ?? ProviderLane.Create("private", options), options);
    }
}
