using Sluice.AI;

namespace Sluice.Cluster;

/// <summary>The budget grain of one provider lane (keyed by the lane's name: endpoint, model, key fingerprint): the
/// cluster's <see cref="CapacityLeaser"/>. One activation in the cluster serves every silo's
/// <see cref="SharedRateBudget"/>.</summary>
[Alias("Sluice.Cluster.ICapacityGrain")]
internal interface ICapacityGrain : IGrainWithStringKey
{
    /// <summary>Grants or renews a holder's lease.</summary>
    [Alias("Lease")]
    Task<LeaseMessage> Lease(RequestMessage request);

    /// <summary>Takes a holder's lease back.</summary>
    [Alias("Return")]
    Task Return(string holder);
}

/// <summary>A <see cref="CapacityRequest"/> on the wire.</summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.RequestMessage")]
internal sealed record RequestMessage(
    [property: Id(0)] string Holder,
    [property: Id(1)] double? RequestsPerMinute,
    [property: Id(2)] double? TokensPerMinute,
    [property: Id(3)] double WantsRequests,
    [property: Id(4)] double WantsTokens,
    [property: Id(5)] double HasRequests,
    [property: Id(6)] double HasTokens,
    [property: Id(7)] TimeSpan Pause);

/// <summary>A <see cref="CapacityLease"/> on the wire.</summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.LeaseMessage")]
internal sealed record LeaseMessage(
    [property: Id(0)] double? RequestsPerSecond,
    [property: Id(1)] double? TokensPerSecond,
    [property: Id(2)] double? RequestsPerMinute,
    [property: Id(3)] double? TokensPerMinute,
    [property: Id(4)] TimeSpan Duration,
    [property: Id(5)] TimeSpan RenewAfter,
    [property: Id(6)] TimeSpan Pause,
    [property: Id(7)] int Holders);
