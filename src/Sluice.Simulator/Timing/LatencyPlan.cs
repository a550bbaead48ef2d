using System.Diagnostics;
using Sluice.Simulator.Content;

namespace Sluice.Simulator.Timing;

/// <summary>
/// The latency of one answer: <c>(LatencyMs + jitter + PerTokenLatencyMs × outputTokens) × saturation</c>, where
/// jitter is uniform in ±<see cref="SimulatorOptions.JitterMs"/> (seeded) and saturation is
/// <c>inFlight / Capacity</c> when more than <see cref="SimulatorOptions.Capacity"/> requests are in flight, else 1.
/// </summary>
internal readonly struct LatencyPlan
{
    private readonly double _firstMs;
    private readonly double _perTokenMs;

    public LatencyPlan(SimulatorOptions options, ulong seed, long inFlight)
    {
        double jitter = options.JitterMs > 0 ? (new SeededRandom(seed).NextDouble() * 2 - 1) * options.JitterMs : 0;
        double saturation = options.Capacity > 0 && inFlight > options.Capacity ? (double)inFlight / options.Capacity : 1.0;
        _firstMs = Math.Max(0, options.LatencyMs + jitter) * saturation;
        _perTokenMs = options.PerTokenLatencyMs * saturation;
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the answer (or the stream up to <paramref name="tokens"/>) is due.</summary>
    public long Deadline(long start, int tokens) =>
        start + (long)((_firstMs + _perTokenMs * tokens) * Stopwatch.Frequency / 1000.0);
}
