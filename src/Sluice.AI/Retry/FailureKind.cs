namespace Sluice.AI;

/// <summary>How the throughput layer treats a failed attempt.</summary>
public enum FailureKind
{
    /// <summary>Retrying cannot help (400, 401, 403, 404, 422, a context-length error, an exhausted quota): fail at once with the provider's message.</summary>
    Permanent,

    /// <summary>Retrying may help (408, 409 when the provider says so, 500, 502, 504, an attempt timeout, a dropped
    /// connection, a corrupted body). Retried after a short delay (<see cref="SluiceRetryOptions.FaultBaseDelay"/>).</summary>
    Transient,

    /// <summary>Transient, and a sign the provider is overloaded (429, 503): also shrinks the adaptive limit, and is
    /// retried after the provider's Retry-After or the longer <see cref="SluiceRetryOptions.BaseDelay"/>.</summary>
    Overloaded,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}
