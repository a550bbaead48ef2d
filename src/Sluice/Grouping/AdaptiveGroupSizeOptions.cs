namespace Sluice;

/// <summary>
/// Settings for <see cref="AdaptiveGroupSize"/>, the sizer that picks how many items travel together in one call
/// (what many libraries call the "batch size"). Every property has a validated default.
/// </summary>
public sealed record AdaptiveGroupSizeOptions
{
    /// <summary>Gets the group size to start with.</summary>
    /// <value>Default 16. Clamped into [<see cref="MinSize"/>, <see cref="MaxSize"/>].</value>
    public int InitialSize { get; init; } = 16;

    /// <summary>Gets the smallest group size the sizer may choose.</summary>
    /// <value>Default 1; must be positive.</value>
    public int MinSize { get; init; } = 1;

    /// <summary>Gets the largest group size the sizer may choose (the count limit, for example a provider's inputs per request).</summary>
    /// <value>Default 256; must be at least <see cref="MinSize"/>.</value>
    public int MaxSize { get; init; } = 256;

    /// <summary>Gets the factor by which one step grows or shrinks the size (a step always moves by at least one item).</summary>
    /// <value>Default 1.5; must be greater than 1.</value>
    public double StepFactor { get; init; } = 1.5;

    /// <summary>Gets how many groups are measured at one size before the sizer compares and decides; the median of
    /// their costs is used, so one slow group (a garbage collection, a neighbour's burst) does not move the size.</summary>
    /// <value>Default 3; must be positive.</value>
    public int SamplesPerStep { get; init; } = 3;

    /// <summary>Gets the relative change in cost per weight unit that counts as a real change rather than noise.</summary>
    /// <value>Default 0.03 (3 %); must be in [0, 1).</value>
    public double Tolerance { get; init; } = 0.03;

    /// <summary>Gets the name reported with the chosen size on the <c>Sluice</c> meter (tag <c>sluice.group.sizer</c>).</summary>
    /// <value>Default <c>"default"</c>; must not be empty.</value>
    public string Name { get; init; } = "default";

    /// <summary>Gets the clock used by <see cref="AdaptiveGroupSize.Start"/> and <see cref="AdaptiveGroupSize.RecordSince"/>.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public AdaptiveGroupSizeOptions Validate()
    {
        Require(MinSize > 0, nameof(MinSize), MinSize, "positive");
        Require(MaxSize >= MinSize, nameof(MaxSize), MaxSize, $"at least MinSize ({MinSize})");
        Require(InitialSize > 0, nameof(InitialSize), InitialSize, "positive");
        Require(StepFactor > 1.0, nameof(StepFactor), StepFactor, "greater than 1");
        Require(SamplesPerStep > 0, nameof(SamplesPerStep), SamplesPerStep, "positive");
        Require(Tolerance is >= 0 and < 1.0, nameof(Tolerance), Tolerance, "in [0, 1)");
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException($"{nameof(AdaptiveGroupSizeOptions)}.{nameof(Name)} must not be empty.", nameof(Name));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        return this;
    }

    private static void Require(bool valid, string property, object value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(property, value, $"{nameof(AdaptiveGroupSizeOptions)}.{property} must be {expected}; it was {value}.");
        }
    }
}
