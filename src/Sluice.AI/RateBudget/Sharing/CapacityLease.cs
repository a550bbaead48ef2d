namespace Sluice.AI;

/// <summary>
/// A share of one lane's limits, granted to one holder for a while: the rates it may spend, how long they hold, and
/// when to ask again. The sum of the unexpired leases of a lane never exceeds the lane's limits.
/// </summary>
/// <param name="RequestsPerSecond">Requests per second granted, or <see langword="null"/> when the lane has no requests
/// limit.</param>
/// <param name="TokensPerSecond">Tokens per second granted, or <see langword="null"/> when the lane has no tokens limit.</param>
/// <param name="RequestsPerMinute">The lane's requests limit in force (headroom applied), or <see langword="null"/>.</param>
/// <param name="TokensPerMinute">The lane's tokens limit in force (headroom applied), or <see langword="null"/>.</param>
/// <param name="Duration">How long the lease holds, counted by the holder from when it sent the request (so a holder
/// always stops before the leaser counts the capacity free again).</param>
/// <param name="RenewAfter">When to ask again: half the duration, or sooner while the holder has less than its fair
/// share (others have not yet given up what they hold).</param>
/// <param name="Pause">How long every holder must still wait after a 429 on the lane, or <see cref="TimeSpan.Zero"/>.</param>
/// <param name="Holders">How many holders share the lane now.</param>
public sealed record CapacityLease(
    double? RequestsPerSecond,
    double? TokensPerSecond,
    double? RequestsPerMinute,
    double? TokensPerMinute,
    TimeSpan Duration,
    TimeSpan RenewAfter,
    TimeSpan Pause,
    int Holders);
