using Sluice.Execution;

namespace Sluice;

/// <summary>
/// Runs work over a stream of items with bounded concurrency and bounded memory, yielding one
/// <see cref="ItemResult{TIn, TOut}"/> per item. This is the engine every other part of Sluice runs on.
/// </summary>
/// <remarks>
/// <para>The source is pulled lazily: at no moment are more than <see cref="BatchOptions.ReadAheadLimit"/>
/// items taken from it beyond what the consumer has received (2 × the concurrency unordered; for ordered output at least
/// <see cref="BatchOptions.ReorderWindowLimit"/>, so that a slow item at the head holds back output, not the workers),
/// so a source of any length runs in constant memory.</para>
/// <para>A failing item never loses another item's result: with <see cref="BatchOptions.FailFast"/> off (the default)
/// failures come out as results with <see cref="ItemResult{TIn, TOut}.Error"/> set, and no item failure escapes as an
/// exception. An exception thrown by the source itself ends the run after every item already taken has been
/// handed out. Cancelling the token stops admission, cancels the token handed to running work, waits for it,
/// and ends the enumeration with <see cref="OperationCanceledException"/>.</para>
/// <para>Each enumeration of the returned sequence is a new run over a new enumeration of the source.</para>
/// </remarks>
public static class Batch
{
    /// <summary>Runs <paramref name="work"/> over every item of an asynchronous source.</summary>
    /// <typeparam name="TIn">The type of the work items.</typeparam>
    /// <typeparam name="TOut">The type of the values the work produces.</typeparam>
    /// <param name="source">The items; read lazily, one at a time, as the read-ahead allows.</param>
    /// <param name="work">The work for one item. It receives a token that is cancelled when the run stops.</param>
    /// <param name="options">How to run; <see cref="BatchOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The results, in input order or completion order (<see cref="BatchOptions.Ordered"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static IAsyncEnumerable<ItemResult<TIn, TOut>> ProcessAsync<TIn, TOut>(
        IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, ValueTask<TOut>> work,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Create(source, work, options, cancellationToken);

    /// <summary>Runs <paramref name="work"/> over every item of a synchronous source.</summary>
    /// <typeparam name="TIn">The type of the work items.</typeparam>
    /// <typeparam name="TOut">The type of the values the work produces.</typeparam>
    /// <param name="source">The items; read lazily, one at a time, as the read-ahead allows. When it is a collection,
    /// its count becomes <see cref="BatchProgress.Total"/>.</param>
    /// <param name="work">The work for one item. It receives a token that is cancelled when the run stops.</param>
    /// <param name="options">How to run; <see cref="BatchOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The results, in input order or completion order (<see cref="BatchOptions.Ordered"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static IAsyncEnumerable<ItemResult<TIn, TOut>> ProcessAsync<TIn, TOut>(
        IEnumerable<TIn> source,
        Func<TIn, CancellationToken, ValueTask<TOut>> work,
        BatchOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Create(SyncSource<TIn>.Of(source), work, options, cancellationToken);

    /// <summary>Checks the arguments and the options at the call site (not at first enumeration) and builds the sequence.</summary>
    private static BatchSequence<TIn, TOut> Create<TIn, TOut>(
        IAsyncEnumerable<TIn> source,
        Func<TIn, CancellationToken, ValueTask<TOut>> work,
        BatchOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(work);
        options ??= BatchOptions.Default;
        options.Validate();
        long? knownCount = source is SyncSource<TIn> sync ? sync.KnownCount : null;
        return new BatchSequence<TIn, TOut>(source, knownCount, work, options, cancellationToken);
    }

    /// <summary>A synchronous source seen as an asynchronous one; a collection also tells its count.</summary>
    private sealed class SyncSource<T> : IAsyncEnumerable<T>
    {
        private readonly IEnumerable<T> _inner;

        private SyncSource(IEnumerable<T> inner)
        {
            _inner = inner;
            KnownCount = inner.TryGetNonEnumeratedCount(out int count) ? count : null;
        }

        public long? KnownCount { get; }

        public static SyncSource<T> Of(IEnumerable<T> source)
        {
            ArgumentNullException.ThrowIfNull(source);
            return new SyncSource<T>(source);
        }

        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new SyncSourceEnumerator<T>(_inner.GetEnumerator());
    }

    private sealed class BatchSequence<TIn, TOut>(
        IAsyncEnumerable<TIn> source,
        long? knownCount,
        Func<TIn, CancellationToken, ValueTask<TOut>> work,
        BatchOptions options,
        CancellationToken cancellationToken) : IAsyncEnumerable<ItemResult<TIn, TOut>>
    {
        public IAsyncEnumerator<ItemResult<TIn, TOut>> GetAsyncEnumerator(CancellationToken enumeratorToken = default) =>
            new BatchRun<TIn, TOut>(source, knownCount, work, options, cancellationToken, enumeratorToken);
    }
}
