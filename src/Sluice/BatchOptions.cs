using System.Threading.RateLimiting;
using Polly;

namespace Sluice;

/// <summary>
/// How <see cref="Batch.ProcessAsync{TIn, TOut}(IAsyncEnumerable{TIn}, Func{TIn, CancellationToken, ValueTask{TOut}}, BatchOptions?, CancellationToken)"/>
/// runs a batch. Validated when a run starts; an invalid value throws an exception that names the option.
/// </summary>
public sealed record BatchOptions
{
    /// <summary>The options every run uses when none are given.</summary>
    public static BatchOptions Default { get; } = new();

    /// <summary>Gets the largest number of items whose work runs at once.</summary>
    /// <value>Default 8. Must be positive. Ignored for in-flight work when <see cref="ConcurrencyLimit"/> is set.</value>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Gets whether results come out in input order (<see langword="true"/>) or in completion order.</summary>
    /// <value>Default <see langword="true"/>. Ordered output holds back the results behind a slow item in the reorder
    /// window while the workers go on with later items; only once <see cref="ReadAheadLimit"/> items (at least
    /// <see cref="ReorderWindowLimit"/>) are taken and not handed out does admission pause until the slow item finishes.</value>
    public bool Ordered { get; init; } = true;

    /// <summary>Gets how many items ordered output may have taken from the source and not yet handed out, so how many
    /// finished results the reorder window may hold back behind a slow or hung item while the workers go on.</summary>
    /// <value>Default <see cref="DefaultReorderWindowLimit"/> (4,096). Must be from 1 to <see cref="MaxAllowedReorderWindowLimit"/>.
    /// The read-ahead of an ordered run is the larger of this and twice the concurrency; unordered output ignores it.
    /// Size it as throughput × the longest time one item may hold the head (its attempt timeout × attempts): 4,096 covers
    /// a 2 s hang at 2,000 items/s. It bounds memory: at most this many results (inputs and values) are held.</value>
    public int ReorderWindowLimit { get; init; } = DefaultReorderWindowLimit;

    /// <summary>The default <see cref="ReorderWindowLimit"/>: 4,096 items.</summary>
    public const int DefaultReorderWindowLimit = 4096;

    /// <summary>The largest <see cref="ReorderWindowLimit"/> a run accepts: 2^24.</summary>
    public const int MaxAllowedReorderWindowLimit = 1 << 24;

    /// <summary>Gets whether the first failed item ends the run.</summary>
    /// <value>Default <see langword="false"/>: every input yields one <see cref="ItemResult{TIn, TOut}"/>, failures included.
    /// When <see langword="true"/>, the first failure cancels the token handed to every other item, the run waits for
    /// them, and the enumeration throws that first exception itself (not wrapped).</value>
    public bool FailFast { get; init; }

    /// <summary>Gets the receiver of progress snapshots, or <see langword="null"/> for none.</summary>
    /// <value>Default <see langword="null"/>. Reports are serialised, monotonic, at most one per
    /// <see cref="ProgressInterval"/>, and the last one carries the final counts. A receiver that throws is not called
    /// again for the rest of the run; the batch itself goes on.</value>
    public IProgress<BatchProgress>? Progress { get; init; }

    /// <summary>Gets the smallest time between two progress reports.</summary>
    /// <value>Default 100 ms. Zero reports after every item. Must not be negative.</value>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the clock used for elapsed times, throughput and progress pacing.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the number of items the source will yield, when the caller knows it and the source cannot tell.</summary>
    /// <value>Default <see langword="null"/>: taken from the source when it is a collection, otherwise unknown until
    /// the source ends. Must not be negative.</value>
    public long? ExpectedCount { get; init; }

    /// <summary>Gets a concurrency limit to use instead of a fixed <see cref="MaxConcurrency"/>: an adaptive one, or one shared
    /// by several runs.</summary>
    /// <value>Default <see langword="null"/>: a fixed limit of <see cref="MaxConcurrency"/> owned by the run.</value>
    public ConcurrencyLimit? ConcurrencyLimit { get; init; }

    /// <summary>Gets a rate limiter every attempt acquires one permit from before it takes a concurrency slot
    /// (for example a requests-per-minute budget).</summary>
    /// <value>Default <see langword="null"/>: no rate limit. A lease that is not acquired fails the attempt with
    /// <see cref="RateLimitRejectedException"/>, which a retry pipeline may retry.</value>
    public RateLimiter? RateLimiter { get; init; }

    /// <summary>Gets a Polly pipeline (retry, timeout, circuit breaker…) around the attempts of each item: it wraps the
    /// rate lease, the concurrency slot and the work, which run again for each attempt.</summary>
    /// <value>Default <see langword="null"/>: one attempt per item. The concurrency slot is held only during an attempt,
    /// never during a retry delay; <see cref="ItemResult{TIn, TOut}.Attempts"/> counts the attempts.</value>
    public ResiliencePipeline? ItemResilience { get; init; }

    /// <summary>Gets the read-ahead limit: the number of items that may be taken from the source and not yet handed to
    /// the consumer (running, waiting for a slot, or finished and held for output).</summary>
    /// <value>Unordered: 2 × the largest concurrency (<see cref="MaxConcurrency"/>, or <see cref="ConcurrencyLimit"/>'s
    /// <see cref="Sluice.ConcurrencyLimit.MaximumLimit"/> when one is set). Ordered: the larger of that and
    /// <see cref="ReorderWindowLimit"/>. It bounds memory and the reorder window. Whatever the order, at most 2 × the
    /// largest concurrency of these items are anything but finished results held behind an unfinished earlier item: the
    /// extra room is only for a slow head, never for a slow consumer.</value>
    public int ReadAheadLimit => Ordered ? Math.Max(WorkInProgressLimit, ReorderWindowLimit) : WorkInProgressLimit;

    /// <summary>Items taken and not yet finished: 2 × the largest concurrency.</summary>
    internal int WorkInProgressLimit => 2 * (ConcurrencyLimit?.MaximumLimit ?? MaxConcurrency);

    /// <summary>The largest concurrency a run accepts: 2^20 (its read-ahead holds twice as many items).</summary>
    public const int MaxAllowedConcurrency = 1 << 20;

    internal void Validate()
    {
        if (ConcurrencyLimit is null && MaxConcurrency <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency,
                $"BatchOptions.{nameof(MaxConcurrency)} must be at least 1; it was {MaxConcurrency}.");
        }

        if (ConcurrencyLimit is null && MaxConcurrency > MaxAllowedConcurrency)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency,
                $"BatchOptions.{nameof(MaxConcurrency)} must be at most {MaxAllowedConcurrency}; it was {MaxConcurrency}.");
        }

        if (ConcurrencyLimit is not null && ConcurrencyLimit.MaximumLimit > MaxAllowedConcurrency)
        {
            throw new ArgumentOutOfRangeException(nameof(ConcurrencyLimit), ConcurrencyLimit.MaximumLimit,
                $"BatchOptions.{nameof(ConcurrencyLimit)}.MaximumLimit must be at most {MaxAllowedConcurrency}; it was {ConcurrencyLimit.MaximumLimit}.");
        }

        if (ConcurrencyLimit is not null && ConcurrencyLimit.MaximumLimit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ConcurrencyLimit), ConcurrencyLimit.MaximumLimit,
                $"BatchOptions.{nameof(ConcurrencyLimit)}.MaximumLimit must be at least 1; it was {ConcurrencyLimit.MaximumLimit}.");
        }

        if (ReorderWindowLimit <= 0 || ReorderWindowLimit > MaxAllowedReorderWindowLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(ReorderWindowLimit), ReorderWindowLimit,
                $"BatchOptions.{nameof(ReorderWindowLimit)} must be from 1 to {MaxAllowedReorderWindowLimit}; it was {ReorderWindowLimit}.");
        }

        if (ProgressInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval,
                $"BatchOptions.{nameof(ProgressInterval)} must not be negative; it was {ProgressInterval}.");
        }

        if (ExpectedCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExpectedCount), ExpectedCount,
                $"BatchOptions.{nameof(ExpectedCount)} must not be negative; it was {ExpectedCount}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), $"BatchOptions.{nameof(TimeProvider)} must not be null.");
        }
    }
}
