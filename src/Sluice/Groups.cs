namespace Sluice;

/// <summary>
/// Splits items into groups bounded by count and by total weight (for example texts bounded by a count and a
/// token budget for one embedding call). A group closes when the next item would exceed either bound. An item that
/// alone weighs more than the bound travels in a group of its own: never dropped, never split. No padding.
/// </summary>
public static class Groups
{
    /// <summary>Groups <paramref name="items"/> lazily into groups of at most <paramref name="maxCount"/> items and
    /// <paramref name="maxWeight"/> total weight.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, read once, lazily.</param>
    /// <param name="maxCount">Most items per group; must be positive.</param>
    /// <param name="maxWeight">Most total weight per group; must be positive.</param>
    /// <param name="weigh">The weight of one item; must not be negative.</param>
    /// <returns>The groups, in order; every item appears in exactly one.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is zero or negative, or an item weighs less than zero
    /// (the message gives its position).</exception>
    public static IEnumerable<IReadOnlyList<T>> ByWeight<T>(IEnumerable<T> items, int maxCount, long maxWeight, Func<T, long> weigh)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(weigh);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWeight);
        return Iterate(items, maxCount, maxWeight, weigh);

        static IEnumerable<IReadOnlyList<T>> Iterate(IEnumerable<T> items, int maxCount, long maxWeight, Func<T, long> weigh)
        {
            var filler = new GroupFiller<T>(maxCount, maxWeight);
            long position = 0;
            foreach (T item in items)
            {
                if (filler.Add(item, WeightOf(item, weigh, position++)) is { } full)
                {
                    yield return full;
                }
            }

            if (filler.Flush() is { } last)
            {
                yield return last;
            }
        }
    }

    /// <summary>Groups an asynchronous stream of items lazily into groups bounded by count and total weight.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, read once, lazily.</param>
    /// <param name="maxCount">Most items per group; must be positive.</param>
    /// <param name="maxWeight">Most total weight per group; must be positive.</param>
    /// <param name="weigh">The weight of one item; must not be negative.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The groups, in order; every item appears in exactly one.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is zero or negative, or an item weighs less than zero.</exception>
    public static IAsyncEnumerable<IReadOnlyList<T>> ByWeight<T>(
        IAsyncEnumerable<T> items, int maxCount, long maxWeight, Func<T, long> weigh, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(weigh);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWeight);
        return Iterate(items, maxCount, maxWeight, weigh, cancellationToken);

        static async IAsyncEnumerable<IReadOnlyList<T>> Iterate(
            IAsyncEnumerable<T> items, int maxCount, long maxWeight, Func<T, long> weigh,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var filler = new GroupFiller<T>(maxCount, maxWeight);
            long position = 0;
            await foreach (T item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (filler.Add(item, WeightOf(item, weigh, position++)) is { } full)
                {
                    yield return full;
                }
            }

            if (filler.Flush() is { } last)
            {
                yield return last;
            }
        }
    }

    private static long WeightOf<T>(T item, Func<T, long> weigh, long position)
    {
        long weight = weigh(item);
        if (weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weigh), weight,
                $"The weight of item {position} (zero-based) is {weight}; weights must not be negative.");
        }

        return weight;
    }

    /// <summary>Accumulates one group; hands back the full group when the next item does not fit.</summary>
    private sealed class GroupFiller<T>(int maxCount, long maxWeight)
    {
        private List<T> _group = [];
        private long _weight;

        public IReadOnlyList<T>? Add(T item, long weight)
        {
            IReadOnlyList<T>? full = null;
            if (_group.Count > 0 && (_group.Count == maxCount || _weight + weight > maxWeight))
            {
                full = _group;
                _group = [];
                _weight = 0;
            }

            _group.Add(item);
            _weight += weight;
            return full;
        }

        public IReadOnlyList<T>? Flush() => _group.Count > 0 ? _group : null;
    }
}
