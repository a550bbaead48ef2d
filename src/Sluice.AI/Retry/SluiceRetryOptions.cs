namespace Sluice.AI;

/// <summary>
/// How Sluice retries a failed attempt: exponential backoff with jitter, a provider's <c>retry-after-ms</c> /
/// <c>Retry-After</c> in place of the backoff (clamped to <see cref="MaxDelay"/>), and only failures that
/// <see cref="FailureClassifier"/> calls <see cref="FailureKind.Transient"/> or <see cref="FailureKind.Overloaded"/>.
/// </summary>
public sealed class SluiceRetryOptions : ICheckedOptions
{
    void ICheckedOptions.Check() => Validate();

    /// <summary>Gets or sets the most attempts per call, the first included (a 429 counts as an attempt).</summary>
    /// <value>Default 6. At least 1 (1 = no retries).</value>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Gets or sets the first retry delay after an overload (a 429 or 503 that gave no Retry-After); later
    /// ones grow exponentially, with jitter.</summary>
    /// <value>Default 500 ms. Zero or more.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the first retry delay after a fault (a 500, 502 or 504, an attempt timeout, a dropped
    /// connection); later ones grow exponentially, with jitter. A fault says nothing about load, so its retry need not
    /// wait as long as one after an overload.</summary>
    /// <value>Default 50 ms. Zero or more.</value>
    public TimeSpan FaultBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets the longest retry delay, also the cap on a provider's <c>Retry-After</c>.</summary>
    /// <value>Default 30 s. Zero or more.</value>
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;

    /// <summary>The default of <see cref="MaxDelay"/>, also the longest a 429 pauses a lane whose budget layer was built
    /// without retry options.</summary>
    internal static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    internal SluiceRetryOptions Clone() => (SluiceRetryOptions)MemberwiseClone();

    /// <summary>Throws when a value is out of range, naming it by <paramref name="path"/>.</summary>
    internal void Validate(string path = nameof(SluiceRetryOptions))
    {
        OptionsCheck.Require(MaxAttempts >= 1, path, nameof(MaxAttempts), MaxAttempts, "at least 1");
        OptionsCheck.Require(BaseDelay >= TimeSpan.Zero, path, nameof(BaseDelay), BaseDelay, "zero or more");
        OptionsCheck.Require(FaultBaseDelay >= TimeSpan.Zero, path, nameof(FaultBaseDelay), FaultBaseDelay, "zero or more");
        OptionsCheck.Require(MaxDelay >= TimeSpan.Zero, path, nameof(MaxDelay), MaxDelay, "zero or more");
    }
}
