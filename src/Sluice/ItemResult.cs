namespace Sluice;

/// <summary>
/// The outcome of one work item: its position in the input, the input itself, and either the value the work
/// produced or the exception it failed with. Every input of a <see cref="Batch"/> run yields exactly one
/// <see cref="ItemResult{TIn, TOut}"/> (unless <see cref="BatchOptions.FailFast"/> ends the run).
/// </summary>
/// <typeparam name="TIn">The type of the work items.</typeparam>
/// <typeparam name="TOut">The type of the values the work produces.</typeparam>
/// <param name="Index">The zero-based position of the item in the source.</param>
/// <param name="Input">The item as it came from the source.</param>
/// <param name="Value">The value the work returned; <see langword="default"/> when the item failed.</param>
/// <param name="Error">The exception of the last attempt; <see langword="null"/> when the item succeeded.</param>
/// <param name="Attempts">How many times the work was invoked for this item (1 unless a retry pipeline is set).</param>
/// <param name="Elapsed">Time to the end of the last attempt: from the start of the work when the item has one plain
/// attempt; with a resilience pipeline or a rate limiter, from the moment the item started on its path, so waits for
/// rate leases and slots and retry delays count.</param>
public readonly record struct ItemResult<TIn, TOut>(
    long Index,
    TIn Input,
    TOut? Value,
    Exception? Error,
    int Attempts,
    TimeSpan Elapsed)
{
    /// <summary>Gets a value indicating whether the work completed without an exception.</summary>
    public bool Succeeded => Error is null;
}
