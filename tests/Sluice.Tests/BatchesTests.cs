namespace Sluice.Tests;

public sealed class BatchesTests
{
    [Fact]
    public void A_batch_closes_when_the_next_item_would_exceed_either_bound()
    {
        int[] weights = [3, 3, 3, 1, 1, 1, 1, 1, 9, 2];
        var batches = Batches.ByWeight(weights, maxCount: 4, maxWeight: 7, w => w).ToList();
        // [3,3] (next 3 would make 9 > 7), [3,1,1,1] (count 4), [1,1] (next 9 would exceed), [9] alone (heavier than 7), [2]
        Assert.Equal(5, batches.Count);
        Assert.Equal([3, 3], batches[0]);
        Assert.Equal([3, 1, 1, 1], batches[1]);
        Assert.Equal([1, 1], batches[2]);
        Assert.Equal([9], batches[3]);
        Assert.Equal([2], batches[4]);
    }

    [Fact]
    public void An_item_heavier_than_the_bound_travels_alone_and_nothing_is_dropped_or_padded()
    {
        var items = Enumerable.Range(0, 1000).Select(i => i % 97 == 0 ? 500L : i % 13).ToList();
        var batches = Batches.ByWeight(items, maxCount: 16, maxWeight: 100, w => w).ToList();
        Assert.Equal(items, batches.SelectMany(b => b));
        Assert.All(batches, b =>
        {
            Assert.NotEmpty(b);
            Assert.True(b.Count <= 16);
            Assert.True(b.Sum() <= 100 || b.Count == 1, $"batch of {b.Count} weighs {b.Sum()}");
        });
        Assert.Equal(items.Count(w => w == 500), batches.Count(b => b.Count == 1 && b[0] == 500));
    }

    [Fact]
    public void Chunking_by_count_alone_keeps_a_short_last_batch()
    {
        var batches = Batches.ByWeight(Enumerable.Range(1, 5), maxCount: 2, maxWeight: long.MaxValue, _ => 1).ToList();
        Assert.Equal([[1, 2], [3, 4], [5]], batches.Select(b => b.ToArray()).ToArray());
        Assert.Empty(Batches.ByWeight(Array.Empty<int>(), 2, 10, _ => 1));
    }

    [Fact]
    public async Task The_async_overload_batches_the_same_way()
    {
        async IAsyncEnumerable<string> Texts()
        {
            foreach (var t in new[] { "aaaa", "bb", "cccccc", "d", "eeeeeeeeeeee", "ff" })
            {
                await Task.Yield();
                yield return t;
            }
        }

        var batches = new List<IReadOnlyList<string>>();
        await foreach (var b in Batches.ByWeight(Texts(), maxCount: 3, maxWeight: 8, t => t.Length))
        {
            batches.Add(b);
        }

        Assert.Equal(new[] { "aaaa,bb", "cccccc,d", "eeeeeeeeeeee", "ff" }, batches.Select(b => string.Join(',', b)));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("maxCount", Assert.Throws<ArgumentOutOfRangeException>(() => Batches.ByWeight([1], 0, 10, w => w)).ParamName);
        Assert.Equal("maxWeight", Assert.Throws<ArgumentOutOfRangeException>(() => Batches.ByWeight([1], 1, 0, w => w)).ParamName);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Batches.ByWeight([1, 2, -5], 10, 10, w => (long)w).ToList());
        Assert.Contains("item 2", negative.Message);
    }
}
