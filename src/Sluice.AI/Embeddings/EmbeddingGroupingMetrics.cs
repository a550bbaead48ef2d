using System.Diagnostics.Metrics;

namespace Sluice.AI;

/// <summary>The grouping layer's instruments on the shared <c>Sluice</c> meter (the chosen size is the engine's
/// <c>sluice.group.size</c>, tag <c>sluice.group.sizer</c> = <c>remote-embeddings</c> by default).</summary>
internal static class EmbeddingGroupingMetrics
{
    private static Meter Meter => SluiceDiagnostics.Meter;

    internal static readonly Counter<long> Splits =
        Meter.CreateCounter<long>("sluice.embeddings.group.splits", "{group}", "Groups the provider rejected as too large and that were split in halves.");

    internal static readonly Counter<long> Truncated =
        Meter.CreateCounter<long>("sluice.embeddings.group.truncated", "{input}", "Inputs cut to the provider's tokens-per-input limit.");
}
