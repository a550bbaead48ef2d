namespace Sluice;

/// <summary>
/// Decides how many work items may run at once. The engine acquires a slot before an item's work starts and
/// releases it, with feedback about the attempt, when the work ends. Implementations may change their limit as
/// they learn (an adaptive limit in <c>Sluice.AI</c>) or take it from outside the process (a cluster grain).
/// </summary>
/// <remarks>
/// One instance may be shared by several runs; the limit then covers all of them together.
/// Implementations must be thread-safe.
/// </remarks>
public abstract class ConcurrencyLimit
{
    /// <summary>Gets the number of slots that may be held at this moment.</summary>
    public abstract int CurrentLimit { get; }

    /// <summary>Gets the largest value <see cref="CurrentLimit"/> can take. The engine sizes its buffers from it.</summary>
    public abstract int MaximumLimit { get; }

    /// <summary>Gets the number of slots held now.</summary>
    public abstract int InUse { get; }

    /// <summary>Waits, first come first served, until a slot is free and takes it.</summary>
    /// <param name="cancellationToken">Cancels the wait; no slot is taken then.</param>
    /// <returns>A task that completes when the caller holds a slot.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    public abstract ValueTask AcquireAsync(CancellationToken cancellationToken);

    /// <summary>Returns a slot taken with <see cref="AcquireAsync"/> and reports how the attempt went.</summary>
    /// <param name="feedback">What happened while the slot was held.</param>
    public abstract void Release(in ConcurrencyFeedback feedback);
}

/// <summary>What happened while a concurrency slot was held; adaptive limits learn from it.</summary>
/// <param name="Elapsed">How long the slot was held.</param>
/// <param name="Succeeded">Whether the attempt succeeded.</param>
/// <param name="Overloaded">Whether the attempt failed in a way that says the downstream is overloaded
/// (HTTP 429 or 503): adaptive limits back off on it. A timeout is reported in <paramref name="TimedOut"/> instead.</param>
/// <param name="Units">Units of output produced (output tokens for an LLM call), used to normalise latency;
/// <see langword="null"/> when unknown.</param>
/// <param name="TimedOut">Whether the attempt was cut by its timeout. A timeout alone does not say the downstream is
/// overloaded (a hung request on a healthy provider times out too); adaptive limits judge it together with latency.</param>
public readonly record struct ConcurrencyFeedback(TimeSpan Elapsed, bool Succeeded, bool Overloaded = false, long? Units = null, bool TimedOut = false);
