using Sluice.AI;

namespace Sluice.Cluster;

/// <summary>
/// The cluster's <see cref="CapacityLeaser"/>: every silo's <see cref="SharedRateBudget"/> for a lane draws on one
/// budget grain for that lane, so the lane's limits hold across all silos together. A handful of grain calls per
/// second per silo (renewals every 2 s, plus one when demand grows), never one per request.
/// </summary>
public sealed class OrleansCapacityLeaser : CapacityLeaser
{
    private readonly IGrainFactory _grains;

    /// <summary>Creates a leaser that calls the budget grains through <paramref name="grains"/> (a silo's or a
    /// client's grain factory).</summary>
    /// <param name="grains">The grain factory.</param>
    public OrleansCapacityLeaser(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <inheritdoc />
    public override async ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lease = await _grains.GetGrain<ICapacityGrain>(request.Lane)
            .Lease(new RequestMessage(request.Holder, Wire.Of(request.LimitsPerMinute), Wire.Of(request.WantsPerSecond), Wire.Of(request.HasPerSecond), request.Pause))
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return new CapacityLease(Wire.Rates(lease.GrantedPerSecond), Wire.Rates(lease.LimitsPerMinute), lease.Duration, lease.RenewAfter, lease.Pause, lease.Holders);
    }

    /// <inheritdoc />
    public override async ValueTask ReturnAsync(string lane, string holder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lane);
        ArgumentNullException.ThrowIfNull(holder);
        await _grains.GetGrain<ICapacityGrain>(lane).Return(holder).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
