namespace Sluice.Tests;

public sealed class GroupsTests
{
    [Fact]
    public void A_group_closes_when_the_next_item_would_exceed_either_bound()
    {
        int[] weights = [3, 3, 3, 1, 1, 1, 1, 1, 9, 2];
        var groups = Groups.ByWeight(weights, maxCount: 4, maxWeight: 7, w => w).ToList();
        // [3,3] (next 3 would make 9 > 7), [3,1,1,1] (count 4), [1,1] (next 9 would exceed), [9] alone (heavier than 7), [2]
        Assert.Equal(5, groups.Count);
        Assert.Equal([3, 3], groups[0]);
        Assert.Equal([3, 1, 1, 1], groups[1]);
        Assert.Equal([1, 1], groups[2]);
        Assert.Equal([9], groups[3]);
        Assert.Equal([2], groups[4]);
    }

    [Fact]
    public void An_item_heavier_than_the_bound_travels_alone_and_nothing_is_dropped_or_padded()
    {
        var items = Enumerable.Range(0, 1000).Select(i => i % 97 == 0 ? 500L : i % 13).ToList();
        var groups = Groups.ByWeight(items, maxCount: 16, maxWeight: 100, w => w).ToList();
        Assert.Equal(items, groups.SelectMany(b => b));
        Assert.All(groups, b =>
        {
            Assert.NotEmpty(b);
            Assert.True(b.Count <= 16);
            Assert.True(b.Sum() <= 100 || b.Count == 1, $"group of {b.Count} weighs {b.Sum()}");
        });
        Assert.Equal(items.Count(w => w == 500), groups.Count(b => b.Count == 1 && b[0] == 500));
    }

    [Fact]
    public void Chunking_by_count_alone_keeps_a_short_last_group()
    {
        var groups = Groups.ByWeight(Enumerable.Range(1, 5), maxCount: 2, maxWeight: long.MaxValue, _ => 1).ToList();
        Assert.Equal([[1, 2], [3, 4], [5]], groups.Select(b => b.ToArray()).ToArray());
        Assert.Empty(Groups.ByWeight(Array.Empty<int>(), 2, 10, _ => 1));
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

        var groups = new List<IReadOnlyList<string>>();
        await foreach (var b in Groups.ByWeight(Texts(), maxCount: 3, maxWeight: 8, t => t.Length))
        {
            groups.Add(b);
        }

        Assert.Equal(new[] { "aaaa,bb", "cccccc,d", "eeeeeeeeeeee", "ff" }, groups.Select(b => string.Join(',', b)));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("maxCount", Assert.Throws<ArgumentOutOfRangeException>(() => Groups.ByWeight([1], 0, 10, w => w)).ParamName);
        Assert.Equal("maxWeight", Assert.Throws<ArgumentOutOfRangeException>(() => Groups.ByWeight([1], 1, 0, w => w)).ParamName);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Groups.ByWeight([1, 2, -5], 10, 10, w => (long)w).ToList());
        Assert.Contains("item 2", negative.Message);
    }
}
