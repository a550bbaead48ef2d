namespace Sluice.AI;

/// <summary>Bounds and tuning of <see cref="AdaptiveConcurrencyLimit"/>.</summary>
public sealed class AdaptiveConcurrencyOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets the limit it starts at; it doubles once per round trip from there until the first sign of
    /// queueing or overload (slow start).</summary>
    /// <value>Default 8. Between <see cref="MinLimit"/> and <see cref="MaxLimit"/>.</value>
    public int InitialLimit { get; set; } = 8;

    /// <summary>Gets or sets the floor of the limit.</summary>
    /// <value>Default 1. At least 1.</value>
    public int MinLimit { get; set; } = 1;

    /// <summary>Gets or sets the ceiling of the limit.</summary>
    /// <value>Default 256. At least <see cref="MinLimit"/>.</value>
    public int MaxLimit { get; set; } = 256;

    /// <summary>Gets or sets the factor applied on overload (a 429, a 503, timeouts beyond <see cref="TimeoutShare"/>).</summary>
    /// <value>Default 0.5. Between 0 and 1, exclusive.</value>
    public double BackoffRatio { get; set; } = 0.5;

    /// <summary>Gets or sets how much slower than the best observed latency (per output-length class) is still
    /// tolerated before the limit shrinks; also how much slower than its long-run mean a round may be before it counts as
    /// slower. Latency is rising (which ends slow start and makes a timeout count as overload) after two slower rounds in
    /// a row, or one at least 1.5 times the mean; after one slower round slow start holds the limit.</summary>
    /// <value>Default 1.1 (10 % queueing tolerated). At least 1.</value>
    public double Tolerance { get; set; } = 1.1;

    /// <summary>Gets or sets the weight of a new estimate when the limit moves toward it.</summary>
    /// <value>Default 0.2. In (0, 1].</value>
    public double Smoothing { get; set; } = 0.2;

    /// <summary>Gets or sets the share of a round trip's attempts that may time out, with flat latency, before the
    /// timeouts are taken as overload. Random faults (a few hung requests) stay below it.</summary>
    /// <value>Default 0.2. In (0, 1].</value>
    public double TimeoutShare { get; set; } = 0.2;

    internal AdaptiveConcurrencyOptions Clone() => (AdaptiveConcurrencyOptions)MemberwiseClone();

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(AdaptiveConcurrencyOptions))
    {
        OptionsCheck.Require(MinLimit >= 1, path, nameof(MinLimit), MinLimit, "at least 1");
        OptionsCheck.Require(MaxLimit >= MinLimit, path, nameof(MaxLimit), MaxLimit, $"at least MinLimit ({MinLimit})");
        OptionsCheck.Require(InitialLimit >= MinLimit && InitialLimit <= MaxLimit, path, nameof(InitialLimit), InitialLimit, $"between MinLimit ({MinLimit}) and MaxLimit ({MaxLimit})");
        OptionsCheck.Require(BackoffRatio is > 0 and < 1, path, nameof(BackoffRatio), BackoffRatio, "between 0 and 1, exclusive");
        OptionsCheck.Require(Tolerance >= 1 && double.IsFinite(Tolerance), path, nameof(Tolerance), Tolerance, "at least 1");
        OptionsCheck.Require(Smoothing is > 0 and <= 1, path, nameof(Smoothing), Smoothing, "in (0, 1]");
        OptionsCheck.Require(TimeoutShare is > 0 and <= 1, path, nameof(TimeoutShare), TimeoutShare, "in (0, 1]");
    }
}
