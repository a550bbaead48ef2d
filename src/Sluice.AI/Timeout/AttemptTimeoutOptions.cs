namespace Sluice.AI;

/// <summary>The per-attempt timeout: the longest one attempt may take. Waiting for rate budget or a concurrency slot
/// does not count, because the timeout layer sits inside those layers.</summary>
public sealed class AttemptTimeoutOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets the longest one attempt may take.</summary>
    /// <value>Default 60 s. Positive.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(AttemptTimeoutOptions)) =>
        OptionsCheck.Require(Timeout > TimeSpan.Zero, path, nameof(Timeout), Timeout, "positive");
}
