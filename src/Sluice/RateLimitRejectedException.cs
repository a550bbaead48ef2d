namespace Sluice;

/// <summary>
/// Thrown when <see cref="BatchOptions.RateLimiter"/> refuses an attempt (its queue is full). It is transient:
/// a retry pipeline may retry it after <see cref="RetryAfter"/>.
/// </summary>
public sealed class RateLimitRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="retryAfter">When the limiter suggests trying again, if it said.</param>
    public RateLimitRejectedException(TimeSpan? retryAfter)
        : base(retryAfter is { } after
            ? $"The rate limiter refused the attempt; it suggests retrying after {after.TotalMilliseconds:0} ms."
            : "The rate limiter refused the attempt.")
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Gets when the limiter suggests trying again, or <see langword="null"/> if it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}
