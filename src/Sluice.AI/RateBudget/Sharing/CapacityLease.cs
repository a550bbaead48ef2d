namespace Sluice.AI;

/// <summary>
/// A share of one lane's limits, granted to one holder for a while: the rates it may spend, how long they hold, and
/// when to ask again. In every dimension, the sum of the unexpired leases of a lane never exceeds the lane's limit.
/// </summary>
/// <param name="GrantedPerSecond">What the holder may spend per second in each dimension; <see langword="null"/> where
/// the lane has no limit.</param>
/// <param name="LimitsPerMinute">The lane's limits in force (headroom applied); <see langword="null"/> where none.</param>
/// <param name="Duration">How long the lease holds, counted by the holder from when it sent the request (so a holder
/// always stops before the leaser counts the capacity free again).</param>
/// <param name="RenewAfter">When to ask again: half the duration, or sooner while the holder has less than its fair
/// share (others have not yet given up what they hold).</param>
/// <param name="Pause">How long every holder must still wait after a 429 on the lane, or <see cref="TimeSpan.Zero"/>.</param>
/// <param name="Holders">How many holders share the lane now.</param>
public sealed record CapacityLease(
    BudgetRates GrantedPerSecond,
    BudgetRates LimitsPerMinute,
    TimeSpan Duration,
    TimeSpan RenewAfter,
    TimeSpan Pause,
    int Holders);
