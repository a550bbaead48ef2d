namespace Sluice.AI;

/// <summary>An attempt took longer than <see cref="AttemptTimeoutOptions.Timeout"/>. Transient: it is retried
/// soon, and the adaptive concurrency limit counts it as overload only with rising latency or beyond its share.</summary>
public sealed class AttemptTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="timeout">The timeout that passed.</param>
    public AttemptTimeoutException(TimeSpan timeout)
        : base($"The attempt did not finish within the attempt timeout of {timeout.TotalSeconds:0.###} s.")
    {
        Timeout = timeout;
    }

    /// <summary>Gets the timeout that passed.</summary>
    public TimeSpan Timeout { get; }
}
