namespace Sluice.AI;

/// <summary>
/// What one holder of a shared rate budget asks its <see cref="CapacityLeaser"/> for: a share of one lane's limits,
/// sized by its demand, in every dimension the lane limits (requests, tokens, input tokens, output tokens). Sent when
/// the holder starts, at each renewal (half a lease), and at once when its demand outgrows its share or a 429 pauses it.
/// </summary>
/// <param name="Lane">The lane's key: endpoint, model and a key fingerprint (never a secret).</param>
/// <param name="Holder">Who asks: one <see cref="SharedRateBudget"/> (a process, a silo), unique per instance.</param>
/// <param name="LimitsPerMinute">The limits this holder knows (configured or learned from the provider), headroom
/// applied; <see langword="null"/> where it knows none. The lane uses the lowest limit any current holder declares.</param>
/// <param name="WantsPerSecond">What it would spend per second if nothing held it back (its demand).</param>
/// <param name="HasPerSecond">What its current, unexpired lease grants per second (0 when it has none).</param>
/// <param name="Pause">A pause the provider asked for (a 429's Retry-After) to hold every holder of the lane, or
/// <see cref="TimeSpan.Zero"/>.</param>
public sealed record CapacityRequest(
    string Lane,
    string Holder,
    BudgetRates LimitsPerMinute,
    BudgetRates WantsPerSecond,
    BudgetRates HasPerSecond,
    TimeSpan Pause);
