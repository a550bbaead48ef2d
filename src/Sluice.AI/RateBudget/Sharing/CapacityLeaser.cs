namespace Sluice.AI;

/// <summary>
/// Hands out shares of a lane's rate limits to the <see cref="SharedRateBudget"/>s that draw on it, Doorman-style:
/// each holder asks for a lease sized by its demand, spends it locally, renews it at half-life and returns it when it
/// leaves; a holder that stops renewing loses its share when its lease expires. A few calls per holder per second, not
/// one per request.
/// </summary>
/// <remarks>Implementations: <see cref="InProcessCapacityLeaser"/> (budgets in one process), the cluster's budget
/// grain (Sluice.Cluster) and a Redis script (Sluice.Redis). Each keeps the allocation rules of
/// <see cref="CapacityAllocator"/>.</remarks>
public abstract class CapacityLeaser
{
    /// <summary>Grants (or renews) the holder's lease on a lane.</summary>
    /// <param name="request">Who asks, for which lane, with what demand.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The holder's lease.</returns>
    public abstract ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gives the holder's share back at once, so the other holders get it at their next renewal.</summary>
    /// <param name="lane">The lane.</param>
    /// <param name="holder">The holder leaving.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the share is returned.</returns>
    public abstract ValueTask ReturnAsync(string lane, string holder, CancellationToken cancellationToken = default);
}
