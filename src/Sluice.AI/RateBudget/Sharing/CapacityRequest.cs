namespace Sluice.AI;

/// <summary>
/// What one holder of a shared rate budget asks its <see cref="CapacityLeaser"/> for: a share of one lane's limits,
/// sized by its demand. Sent when the holder starts, at each renewal (half a lease), and at once when its demand
/// outgrows its share or a 429 pauses it.
/// </summary>
/// <param name="Lane">The lane's key: endpoint, model and a key fingerprint (never a secret).</param>
/// <param name="Holder">Who asks: one <see cref="SharedRateBudget"/> (a process, a silo), unique per instance.</param>
/// <param name="RequestsPerMinute">The requests limit this holder knows (configured or learned from the provider),
/// headroom applied, or <see langword="null"/> for none. The lane uses the lowest limit any current holder declares.</param>
/// <param name="TokensPerMinute">The tokens limit this holder knows, headroom applied, or <see langword="null"/>.</param>
/// <param name="WantsRequests">The requests per second it would send if nothing held it back (its demand).</param>
/// <param name="WantsTokens">The tokens per second it would spend if nothing held it back.</param>
/// <param name="HasRequests">The requests per second its current, unexpired lease grants (0 when it has none).</param>
/// <param name="HasTokens">The tokens per second its current lease grants.</param>
/// <param name="Pause">A pause the provider asked for (a 429's Retry-After) to hold every holder of the lane, or
/// <see cref="TimeSpan.Zero"/>.</param>
public sealed record CapacityRequest(
    string Lane,
    string Holder,
    double? RequestsPerMinute,
    double? TokensPerMinute,
    double WantsRequests,
    double WantsTokens,
    double HasRequests,
    double HasTokens,
    TimeSpan Pause);
