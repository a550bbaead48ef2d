using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sluice;

/// <summary>
/// The <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/> named
/// <c>Sluice</c> through which every Sluice layer reports, so OpenTelemetry picks them up with
/// <c>AddMeter("Sluice")</c> and <c>AddSource("Sluice")</c> and no other code.
/// </summary>
public static class SluiceDiagnostics
{
    /// <summary>The name of the meter and the activity source: <c>Sluice</c>.</summary>
    public const string Name = "Sluice";

    /// <summary>Gets the shared meter.</summary>
    public static Meter Meter { get; } = new(Name, typeof(SluiceDiagnostics).Assembly.GetName().Version?.ToString());

    /// <summary>Gets the shared activity source. The engine starts one activity, <c>sluice.batch</c>, per run.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(SluiceDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> ItemsCompleted =
        Meter.CreateCounter<long>("sluice.batch.items.completed", "{item}", "Work items that finished successfully.");

    internal static readonly Counter<long> ItemsFailed =
        Meter.CreateCounter<long>("sluice.batch.items.failed", "{item}", "Work items that finished with an error.");

    internal static readonly Histogram<double> ItemDuration =
        Meter.CreateHistogram<double>("sluice.batch.item.duration", "s", "Time from the start of an item's first attempt to the end of its last.");

    internal static readonly UpDownCounter<long> ItemsInFlight =
        Meter.CreateUpDownCounter<long>("sluice.batch.items.in_flight", "{item}", "Work items whose work is running now.");
}
