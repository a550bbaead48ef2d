namespace Sluice.LocalEmbeddings.Tests;

/// <summary>The engine's sizer against a fake model whose cost per token position is scripted as a function of the
/// group size: no clock, no model, deterministic.</summary>
public sealed class AdaptiveGroupSizeTests
{
    // Per-position cost with a fixed per-call overhead (falls with size) and a cache penalty (rises with size):
    // the minimum is at sqrt(400 / 0.25) = 40.
    private static TimeSpan Cost(int size, int positionsPerItem) =>
        TimeSpan.FromTicks((long)((400.0 / size + 0.25 * size + 10) * size * positionsPerItem));

    private static int Drive(AdaptiveGroupSize sizer, int groups)
    {
        for (int g = 0; g < groups; g++)
        {
            int size = sizer.Current;
            sizer.Record(size, size * 100L, Cost(size, 100));
        }

        return sizer.Current;
    }

    [Fact]
    public void Grows_while_the_cost_per_position_falls()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 2, MaxSize = 512 });
        int settled = Drive(sizer, 120);
        Assert.InRange(settled, 20, 80);
        Assert.True(sizer.Steps >= 3);
    }

    [Fact]
    public void Shrinks_when_the_cost_per_position_rises()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 400, MaxSize = 512 });
        int settled = Drive(sizer, 120);
        Assert.InRange(settled, 20, 80);
    }

    [Fact]
    public void Stays_within_its_bounds()
    {
        var capped = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 2, MaxSize = 10 });
        Assert.Equal(10, Drive(capped, 60));

        var floored = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 400, MinSize = 100, MaxSize = 512 });
        Assert.Equal(100, Drive(floored, 60));
    }

    [Fact]
    public void One_slow_group_does_not_move_the_size()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 3 });
        sizer.Record(40, 4000, Cost(40, 100));
        sizer.Record(40, 4000, TimeSpan.FromSeconds(10)); // a pause: the median ignores it
        sizer.Record(40, 4000, Cost(40, 100));
        Assert.Equal(60, sizer.Current); // the first decision always explores upward
        Assert.Equal(1, sizer.Steps);
    }

    [Fact]
    public void Tail_groups_are_not_counted()
    {
        var sizer = new AdaptiveGroupSize(new AdaptiveGroupSizeOptions { InitialSize = 40, SamplesPerStep = 1 });
        sizer.Record(3, 300, TimeSpan.FromSeconds(1));
        Assert.Equal(40, sizer.Current);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSizeOptions { StepFactor = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSizeOptions { MinSize = 5, MaxSize = 4 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSize().Record(0, 1, TimeSpan.Zero));
    }
}
