namespace Sluice.AI;

/// <summary>How many attempts a client (or a lane) runs at once: a fixed limit, or an adaptive one.</summary>
public sealed class ConcurrencyOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets a fixed concurrency limit, or <see langword="null"/> for an adaptive one (see <see cref="Adaptive"/>).</summary>
    /// <value>Default <see langword="null"/> (adaptive). Positive when set.</value>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets the bounds and tuning of the adaptive limit, used when <see cref="MaxConcurrency"/> is <see langword="null"/>.</summary>
    public AdaptiveConcurrencyOptions Adaptive { get; set; } = new();

    /// <summary>Creates the limit these options describe.</summary>
    /// <param name="timeProvider">The clock of an adaptive limit; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>A <see cref="FixedConcurrencyLimit"/> or an <see cref="AdaptiveConcurrencyLimit"/>.</returns>
    public ConcurrencyLimit CreateLimit(TimeProvider? timeProvider = null)
    {
        Validate();
        return MaxConcurrency is { } limit ? new FixedConcurrencyLimit(limit) : new AdaptiveConcurrencyLimit(Adaptive, timeProvider);
    }

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(ConcurrencyOptions))
    {
        OptionsCheck.Require(MaxConcurrency is null or > 0, path, nameof(MaxConcurrency), MaxConcurrency, "positive or null");
        OptionsCheck.NotNull(Adaptive, path, nameof(Adaptive));
        Adaptive.Validate($"{path}.{nameof(Adaptive)}");
    }
}
