namespace Sluice.BatchFiles.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Counts_added_from_another_histogram_land_in_the_same_buckets()
    {
        var worker = new LatencyHistogram();
        worker.Record(TimeSpan.FromMilliseconds(3));
        worker.Record(TimeSpan.FromMilliseconds(50));
        worker.Record(TimeSpan.FromSeconds(5_000)); // above the last bound
        var follower = new LatencyHistogram();
        follower.Record(TimeSpan.FromMilliseconds(50));
        long[] before = follower.Counts();

        follower.Add(worker.Counts());

        Assert.Equal(4, follower.Count);
        Assert.Equal(before.Zip(worker.Counts(), (a, b) => a + b), follower.Counts());
        Assert.Equal(2, follower.Counts().Max()); // the two at 50 ms share a bucket
        Assert.Equal(1, follower.Counts()[^1]);
    }

    [Fact]
    public void Counts_of_another_layout_or_negative_are_refused_and_nothing_is_added()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(10));
        long[] shorter = new long[LatencyHistogram.BoundsMilliseconds.Count];
        long[] negative = new long[LatencyHistogram.BoundsMilliseconds.Count + 1];
        negative[0] = 5;
        negative[3] = -1;

        Assert.Contains("buckets", Assert.Throws<ArgumentException>(() => histogram.Add(shorter)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => histogram.Add(negative)).Message);
        Assert.Equal(1, histogram.Count);
    }
}
