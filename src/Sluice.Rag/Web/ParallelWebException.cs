using Sluice.AI;

namespace Sluice.Rag;

/// <summary>
/// A Parallel Web Systems call failed: the API answered with an error status, the body could not be read, or no
/// answer came. The inner exception is what the transport raised (a <c>ClientResultException</c> with the response's
/// status and headers, an <see cref="IOException"/>, a <see cref="System.Text.Json.JsonException"/>, a
/// <see cref="TimeoutException"/>), so Sluice's <see cref="FailureClassifier"/> classifies it and reads its
/// <c>Retry-After</c>. The message never contains the API key.
/// </summary>
public sealed class ParallelWebException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The call: <c>search</c> or <c>extract</c>.</param>
    /// <param name="statusCode">The HTTP status, or <see langword="null"/> when no response came.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">What the transport raised.</param>
    public ParallelWebException(string operation, int? statusCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
    }

    /// <summary>Gets the call that failed: <c>search</c> or <c>extract</c>.</summary>
    public string Operation { get; }

    /// <summary>Gets the HTTP status of the failed answer, or <see langword="null"/> when none came.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets how many attempts were made, the first included (set once retries are over; 0 before).</summary>
    public int Attempts { get; internal set; }

    /// <summary>Gets whether retrying could have helped (<see cref="FailureKind.Transient"/> or <see cref="FailureKind.Overloaded"/>):
    /// such a failure was retried until <see cref="SluiceRetryOptions.MaxAttempts"/> ran out; any other failed at once.</summary>
    public bool IsTransient => FailureClassifier.Classify(this) is FailureKind.Transient or FailureKind.Overloaded;
}
