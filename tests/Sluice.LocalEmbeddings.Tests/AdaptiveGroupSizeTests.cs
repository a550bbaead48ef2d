namespace Sluice.LocalEmbeddings.Tests;

/// <summary>The engine's sizer against a fake model whose cost per token position is scripted as a function of the
/// group size (and, to mimic length-sorted input, of how far the input has gone): no clock, no model, deterministic.</summary>
public sealed class AdaptiveGroupSizeTests
{
    // Per-position cost with a fixed per-call overhead (falls with size) and a cache penalty (rises with size):
    // the minimum is at sqrt(400 / 0.25) = 40.
    private static double CostPerPosition(int size) => 400.0 / size + 0.25 * size + 10;

    private static TimeSpan Cost(int size, int positionsPerItem, double drift = 1) =>
        TimeSpan.FromTicks((long)(CostPerPosition(size) * drift * size * positionsPerItem));

    private static int Drive(AdaptiveGroupSize sizer, int groups, double driftPerGroup = 0)
    {
        for (int g = 0; g < groups; g++)
        {
            int size = sizer.Current;
            sizer.Record(size, size * 100L, Cost(size, 100, 1 + (driftPerGroup * g)));
        }

        return HeldSize(sizer);
    }

    // The size in force: the one Current returns most often over the next groups (half of every trial, all of a rest).
    private static int HeldSize(AdaptiveGroupSize sizer) =>
        Sizes(sizer, 48).GroupBy(s => s).OrderByDescending(g => g.Count()).First().Key;

    [Fact]
    public void Grows_while_the_cost_per_position_falls()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 2, MaxSize = 512 });
        int settled = Drive(sizer, 200);
        Assert.InRange(settled, 20, 80);
        Assert.True(sizer.Steps >= 3);
    }

    [Fact]
    public void Shrinks_when_the_cost_per_position_rises()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 400, MaxSize = 512 });
        int settled = Drive(sizer, 200);
        Assert.InRange(settled, 20, 80);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(400)]
    public void Finds_the_best_size_while_the_items_get_costlier(int initial)
    {
        // Length-sorted input: every group's texts are longer than the last one's, so the cost per position rises
        // by 2 % per group whatever the size (tripling over the run). The old sizer read that drift as "this size
        // is worse"; paired trials see only the size.
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = initial, MaxSize = 512 });
        int settled = Drive(sizer, 200, driftPerGroup: 0.02);
        Assert.InRange(settled, 20, 80);
    }

    [Fact]
    public void Shrinks_to_a_small_best_size_while_the_items_get_costlier()
    {
        // The embedding benchmark's case: the best size is small (here 8: overhead 16 / size, penalty size / 4), the
        // sizer starts above it and the texts get longer group after group (5 % costlier per group). The old sizer
        // explored upward, saw the drift as "bigger is worse", came back, saw the drift again as "smaller is worse",
        // and swung between 16 and 24 for good.
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 16, MaxSize = 128 });
        var trace = new List<int>();
        for (int g = 0; g < 200; g++)
        {
            int size = sizer.Current;
            double perPosition = ((16.0 / size) + (size / 4.0) + 10) * (1 + (0.05 * g));
            sizer.Record(size, size * 100L, TimeSpan.FromTicks((long)(perPosition * size * 100)));
            if (g >= 150)
            {
                trace.Add(size);
            }
        }

        int held = trace.GroupBy(s => s).OrderByDescending(g => g.Count()).First().Key;
        Assert.True(held is >= 6 and <= 12, string.Join(",", trace));
    }

    [Fact]
    public void Alternates_between_the_size_in_force_and_the_candidate()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 3 });
        var sizes = new List<int>();
        for (int g = 0; g < 4; g++)
        {
            int size = sizer.Current;
            Assert.Equal(size, sizer.Current); // reading changes nothing
            sizes.Add(size);
            sizer.Record(size, size * 100L, Cost(size, 100));
        }

        Assert.Equal([40, 60, 60, 40], sizes);
    }

    [Fact]
    public void One_slow_group_does_not_decide_a_trial()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 3 });
        // The candidate (60) is cheaper than 40 in every group but one, which a pause makes very slow: the median wins.
        sizer.Record(40, 4000, TimeSpan.FromTicks(4000 * 30));
        sizer.Record(60, 6000, TimeSpan.FromTicks(6000 * 20));
        sizer.Record(60, 6000, TimeSpan.FromSeconds(10)); // a pause: the median ignores it
        sizer.Record(40, 4000, TimeSpan.FromTicks(4000 * 30));
        sizer.Record(40, 4000, TimeSpan.FromTicks(4000 * 30));
        sizer.Record(60, 6000, TimeSpan.FromTicks(6000 * 20));
        sizer.Record(60, 6000, TimeSpan.FromTicks(6000 * 20));
        sizer.Record(40, 4000, TimeSpan.FromTicks(4000 * 30));
        Assert.Equal(1, sizer.Steps);
    }

    [Fact]
    public void Tail_groups_are_not_counted()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 1 });
        sizer.Record(3, 300, TimeSpan.FromSeconds(1));
        sizer.Record(3, 300, TimeSpan.FromSeconds(1));
        Assert.Equal(40, sizer.Current);
        Assert.Equal(0, sizer.Steps);
    }

    [Fact]
    public void Stays_within_its_bounds()
    {
        var capped = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 2, MaxSize = 10 });
        Drive(capped, 100);
        Assert.All(Sizes(capped, 40), size => Assert.InRange(size, 1, 10));
        Assert.Contains(10, Sizes(capped, 40));

        var floored = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 400, MinSize = 100, MaxSize = 512 });
        Drive(floored, 100);
        Assert.All(Sizes(floored, 40), size => Assert.InRange(size, 100, 512));
        Assert.Contains(100, Sizes(floored, 40));
    }

    private static List<int> Sizes(AdaptiveGroupSize sizer, int groups)
    {
        var sizes = new List<int>();
        for (int g = 0; g < groups; g++)
        {
            int size = sizer.Current;
            sizes.Add(size);
            sizer.Record(size, size * 100L, Cost(size, 100));
        }

        return sizes;
    }

    [Fact]
    public void A_settled_sizer_probes_less_and_less_often()
    {
        // 40 is the cheapest size (CostPerPosition): every trial (60, 26) loses. Between the trials the sizer rests,
        // twice as long each time with no step in between (24, 48, then 96 groups with SamplesPerStep 3), so it spends
        // ever fewer groups on the sizes it has measured worse.
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 3 });
        var sizes = new List<int>();
        for (int g = 0; g < 600; g++)
        {
            int size = sizer.Current;
            sizes.Add(size);
            sizer.Record(size, size * 100L, Cost(size, 100));
        }

        Assert.Equal(0, sizer.Steps);
        Assert.Equal(40, sizer.SizeInForce);
        var rests = new List<int>();
        int run = 0;
        foreach (int size in sizes)
        {
            if (size == 40)
            {
                run++;
                continue;
            }

            if (run > 4)
            {
                rests.Add(run);
            }

            run = 0;
        }

        Assert.True(rests.Count >= 4, string.Join(",", rests));
        Assert.InRange(rests[0], 24, 26);
        Assert.InRange(rests[1], 48, 50);
        Assert.InRange(rests[2], 96, 98);
        Assert.InRange(rests[3], 96, 98); // the longest rest
        Assert.True(sizes.Count(size => size != 40) < 80, $"{sizes.Count(size => size != 40)} groups off the best size");
    }

    [Fact]
    public void After_a_step_the_size_just_left_is_not_tried_again_before_a_rest()
    {
        // Best size 24 (144 / size + size / 4 + 10): from 16 the trial at 24 wins; then 36 loses, and the other way
        // is 16, which has just lost: the sizer rests instead of spending a trial on it.
        static TimeSpan Scripted(int size) => TimeSpan.FromTicks((long)(((144.0 / size) + (size / 4.0) + 10) * size * 100));
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 16, SamplesPerStep = 3 });
        var afterStep = new List<int>();
        for (int g = 0; g < 60; g++)
        {
            int size = sizer.Current;
            if (sizer.Steps == 1)
            {
                afterStep.Add(size);
            }

            sizer.Record(size, size * 100L, Scripted(size));
        }

        Assert.Equal(1, sizer.Steps);
        Assert.Equal(24, sizer.SizeInForce);
        Assert.Contains(36, afterStep);
        Assert.DoesNotContain(16, afterStep.Take(8 + 24)); // the trial at 36, then the whole first rest
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSizeOptions { StepFactor = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSizeOptions { MinSize = 5, MaxSize = 4 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSize().Record(0, 1, TimeSpan.Zero));
    }

    [Fact]
    public void The_generators_sizer_never_goes_below_MinGroupSize_even_when_smaller_looks_cheaper()
    {
        // Scripted: the cost per position keeps falling as the size falls (what one noisy group on a loaded machine can
        // suggest), so the sizer walks down; the generator's settings stop it at MinGroupSize (default 4).
        var options = new LocalEmbeddingOptions();
        var sizer = new AdaptiveGroupSize(options.SizerOptions());
        Assert.Equal(4, sizer.Options.MinSize);
        var sizes = new List<int>();
        for (int g = 0; g < 300; g++)
        {
            int size = sizer.Current;
            sizes.Add(size);
            sizer.Record(size, size * 100L, TimeSpan.FromTicks((long)((10.0 + size) * size * 100)));
        }

        Assert.Equal(options.MinGroupSize, sizes.Min());
        Assert.Equal(options.MinGroupSize, HeldSize(sizer));
    }

    [Fact]
    public void MinGroupSize_above_MaxGroupSize_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { MinGroupSize = 200 }.Validate());
        Assert.Equal(nameof(LocalEmbeddingOptions.MinGroupSize), error.ParamName);
    }
}
