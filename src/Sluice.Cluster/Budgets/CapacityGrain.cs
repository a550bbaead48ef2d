using Microsoft.Extensions.DependencyInjection;
using Sluice.AI;

namespace Sluice.Cluster;

/// <summary>Keeps one lane's <see cref="CapacityAllocator"/> in memory. Its state is only the current leases, which
/// holders renew every few seconds: if its silo dies, the grain is activated again elsewhere at the next renewal and
/// learns the leases still in force from the holders (see <see cref="CapacityAllocator"/>).</summary>
/// <remarks>Activated on the silo of the first holder that asks (prefer-local placement): the lane's first caller
/// pays no network hop, and which silo holds it is plain to see.</remarks>
[Orleans.Placement.PreferLocalPlacement]
internal sealed class CapacityGrain : Grain, ICapacityGrain
{
    private readonly CapacityAllocator _allocator;

    public CapacityGrain(IServiceProvider services) =>
        _allocator = new CapacityAllocator(services.GetService<CapacityAllocatorOptions>(), services.GetService<TimeProvider>());

    public Task<LeaseMessage> Lease(RequestMessage request)
    {
        var lease = _allocator.Grant(new CapacityRequest(
            this.GetPrimaryKeyString(),
            request.Holder,
            Wire.Rates(request.LimitsPerMinute),
            Wire.Rates(request.WantsPerSecond),
            Wire.Rates(request.HasPerSecond),
            request.Pause));
        return Task.FromResult(new LeaseMessage(
            Wire.Of(lease.GrantedPerSecond),
            Wire.Of(lease.LimitsPerMinute),
            lease.Duration,
            lease.RenewAfter,
            lease.Pause,
            lease.Holders));
    }

    public Task Return(string holder)
    {
        _allocator.Return(holder);
        return Task.CompletedTask;
    }
}
