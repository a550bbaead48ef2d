namespace Sluice.AI;

/// <summary>A setting a benchmark recommends, with the reason; or no setting, and why none.</summary>
/// <param name="Value">The recommended concurrency or group size, or <see langword="null"/> when no step was clean.</param>
/// <param name="Reason">Why this setting (where throughput stops rising, or where 429s or failures start), or why none.</param>
public sealed record BenchmarkChoice(int? Value, string Reason);
