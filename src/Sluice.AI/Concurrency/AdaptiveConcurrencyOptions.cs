namespace Sluice.AI;

/// <summary>Bounds and tuning of <see cref="AdaptiveConcurrencyLimit"/>.</summary>
public sealed record AdaptiveConcurrencyOptions
{
    /// <summary>Gets the limit it starts at.</summary>
    /// <value>Default 8.</value>
    public int InitialLimit { get; init; } = 8;

    /// <summary>Gets the floor of the limit.</summary>
    /// <value>Default 1.</value>
    public int MinLimit { get; init; } = 1;

    /// <summary>Gets the ceiling of the limit.</summary>
    /// <value>Default 256.</value>
    public int MaxLimit { get; init; } = 256;

    /// <summary>Gets the factor applied on overload (a 429, a 503, a timeout).</summary>
    /// <value>Default 0.5. Between 0 and 1, exclusive.</value>
    public double BackoffRatio { get; init; } = 0.5;

    /// <summary>Gets how much slower than the best observed latency (per output-length class) is still tolerated
    /// before the limit shrinks.</summary>
    /// <value>Default 1.1 (10 % queueing tolerated). At least 1.</value>
    public double Tolerance { get; init; } = 1.1;

    /// <summary>Gets the weight of a new estimate when the limit moves toward it.</summary>
    /// <value>Default 0.2. Between 0 (exclusive) and 1.</value>
    public double Smoothing { get; init; } = 0.2;

    internal void Validate()
    {
        SluiceClientOptions.Require(MinLimit >= 1, "Adaptive.MinLimit", MinLimit, "at least 1");
        SluiceClientOptions.Require(MaxLimit >= MinLimit, "Adaptive.MaxLimit", MaxLimit, $"at least MinLimit ({MinLimit})");
        SluiceClientOptions.Require(InitialLimit >= MinLimit && InitialLimit <= MaxLimit, "Adaptive.InitialLimit", InitialLimit, $"between {MinLimit} and {MaxLimit}");
        SluiceClientOptions.Require(BackoffRatio is > 0 and < 1, "Adaptive.BackoffRatio", BackoffRatio, "between 0 and 1, exclusive");
        SluiceClientOptions.Require(Tolerance >= 1, "Adaptive.Tolerance", Tolerance, "at least 1");
        SluiceClientOptions.Require(Smoothing is > 0 and <= 1, "Adaptive.Smoothing", Smoothing, "in (0, 1]");
    }
}
