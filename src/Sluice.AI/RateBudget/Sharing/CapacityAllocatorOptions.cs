namespace Sluice.AI;

/// <summary>How a <see cref="CapacityAllocator"/> leases shares of a lane's limits.</summary>
public sealed class CapacityAllocatorOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets how long a lease holds. A holder that dies (or loses the leaser) keeps its share this long,
    /// so it is also how long the others run short after a holder's death.</summary>
    /// <value>Default 4 s: renewals every 2 s (a handful of calls per second for a cluster), a dead silo's share back
    /// within 4 s. At least 200 ms.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Gets or sets how soon a holder with less than its fair share, or less than it wants, asks again (it
    /// waits for the others to give up what they hold, which they do at their own renewal, or sooner when their demand
    /// falls).</summary>
    /// <value>Default 250 ms. Positive and shorter than half the lease.</value>
    public TimeSpan StarvedRenewal { get; set; } = TimeSpan.FromMilliseconds(250);

    internal CapacityAllocatorOptions Clone() => (CapacityAllocatorOptions)MemberwiseClone();

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(CapacityAllocatorOptions))
    {
        OptionsCheck.Require(LeaseDuration >= TimeSpan.FromMilliseconds(200), path, nameof(LeaseDuration), LeaseDuration, "at least 200 ms");
        OptionsCheck.Require(StarvedRenewal > TimeSpan.Zero && StarvedRenewal < LeaseDuration / 2, path, nameof(StarvedRenewal), StarvedRenewal, "positive and shorter than half the lease");
    }
}
