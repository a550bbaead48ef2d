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

/// <summary>A <see cref="CapacityRequest"/> on the wire (rates as requests, tokens, input tokens, output tokens).</summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.RequestMessage")]
internal sealed record RequestMessage(
    [property: Id(0)] string Holder,
    [property: Id(1)] double?[] LimitsPerMinute,
    [property: Id(2)] double?[] WantsPerSecond,
    [property: Id(3)] double?[] HasPerSecond,
    [property: Id(4)] TimeSpan Pause);

/// <summary>A <see cref="CapacityLease"/> on the wire.</summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.LeaseMessage")]
internal sealed record LeaseMessage(
    [property: Id(0)] double?[] GrantedPerSecond,
    [property: Id(1)] double?[] LimitsPerMinute,
    [property: Id(2)] TimeSpan Duration,
    [property: Id(3)] TimeSpan RenewAfter,
    [property: Id(4)] TimeSpan Pause,
    [property: Id(5)] int Holders);

/// <summary>Between <see cref="BudgetRates"/> and the arrays the messages carry.</summary>
internal static class Wire
{
    public static double?[] Of(BudgetRates rates) => [rates.Requests, rates.Tokens, rates.InputTokens, rates.OutputTokens];

    public static BudgetRates Rates(double?[] values) =>
        values is { Length: 4 } ? new BudgetRates(values[0], values[1], values[2], values[3]) : throw new ArgumentException("expected four rates", nameof(values));
}
