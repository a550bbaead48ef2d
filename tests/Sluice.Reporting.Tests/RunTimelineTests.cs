using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Sluice.BatchFiles;

namespace Sluice.Reporting.Tests;

/// <summary><see cref="RunTimeline"/> writes what <see cref="TimelineReader"/> reads: sessions, samples, histograms.</summary>
public sealed class RunTimelineTests
{
    [Fact]
    public async Task A_session_samples_once_a_second_and_ends_with_a_last_sample_and_both_histograms()
    {
        string path = Path.Combine(Fixtures.TempDirectory(), "timeline.jsonl");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        long done = 0;
        var timeline = await RunTimeline.StartAsync(path, () => new BatchRunSnapshot { Total = 100, Done = done, Succeeded = done, ConcurrencyLimit = 8 }, time);
        Assert.Equal(1, timeline.Session);
        for (int second = 1; second <= 3; second++)
        {
            done += 10;
            time.Advance(TimeSpan.FromSeconds(1));
            await SamplesAsync(path, second + 1); // the first sample is written at the start
        }

        timeline.RecordLatency(TimeSpan.FromMilliseconds(30));
        timeline.RecordLatency(TimeSpan.FromMilliseconds(3));
        timeline.AttemptLatency.Record(TimeSpan.FromMilliseconds(2));
        await timeline.DisposeAsync();

        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("session", lines[0].GetProperty("type").GetString());
        Assert.Equal("2026-01-01T00:00:00.000Z", lines[0].GetProperty("started_at").GetString());
        var samples = lines.Where(l => l.GetProperty("type").GetString() == "sample").ToList();
        Assert.Equal([0, 1, 2, 3, 3], samples.Select(s => s.GetProperty("t").GetDouble()));
        Assert.Equal([0, 10, 20, 30, 30], samples.Select(s => s.GetProperty("done").GetInt64()));
        var data = TimelineReader.Read(path)!;
        Assert.Equal(2, data.LatencyCounts.Sum());
        Assert.Equal(1, data.AttemptCounts.Sum());
        int bucket30 = LatencyHistogram.BoundsMilliseconds.ToList().FindIndex(b => b >= 30);
        Assert.Equal(1, data.LatencyCounts[bucket30]);
    }

    [Fact]
    public async Task A_resume_appends_the_next_session_and_drops_a_line_torn_by_a_kill()
    {
        string path = Path.Combine(Fixtures.TempDirectory(), "timeline.jsonl");
        var time = new FakeTimeProvider();
        await using (await RunTimeline.StartAsync(path, () => new BatchRunSnapshot { Done = 5, Succeeded = 5 }, time))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await SamplesAsync(path, 2);
        }

        File.AppendAllText(path, """{"type":"sample","session":1,"t":9,"do"""); // torn by a kill
        Assert.Null(TimelineReader.Read(path + ".missing"));
        Assert.Equal(3, TimelineReader.Read(path)!.Points.Count); // the torn last line is skipped by readers

        await using (var resumed = await RunTimeline.StartAsync(path, () => new BatchRunSnapshot { Done = 7, Resumed = 5, Succeeded = 2 }, time))
        {
            Assert.Equal(2, resumed.Session);
        }

        Assert.All(File.ReadAllLines(path), l => JsonDocument.Parse(l)); // every line whole
        var data = TimelineReader.Read(path)!;
        Assert.Equal(2, data.Sessions);
        Assert.Equal([1, 1, 1, 2, 2], data.Points.Select(p => p.Session));
        Assert.Equal(data.Points[2].T, data.Points[3].T); // the second session starts where the first ended
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3599, 1)]
    [InlineData(3600, 10)]
    [InlineData(35_999, 10)]
    [InlineData(36_000, 60)]
    [InlineData(86_400 * 7, 60)]
    public void Samples_grow_coarser_after_the_first_hour_and_after_the_tenth(int seconds, int interval) =>
        Assert.Equal(TimeSpan.FromSeconds(interval), RunTimeline.IntervalAt(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_latency_histogram_has_five_log_spaced_buckets_per_decade_and_one_above()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(1));      // at the first bound: the first bucket
        histogram.Record(TimeSpan.FromMilliseconds(1.1));    // above it: the second
        histogram.Record(TimeSpan.FromSeconds(5000));        // above the last bound
        long[] counts = histogram.Counts();
        Assert.Equal(31, LatencyHistogram.BoundsMilliseconds.Count);
        Assert.Equal([1L, 1L], counts[..2]);
        Assert.Equal(1, counts[^1]);
        Assert.Equal(3, histogram.Count);
    }

    /// <summary>The sampling loop runs on the thread pool after each tick of the fake clock: await its line.</summary>
    private static async Task SamplesAsync(string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (ReadShared(path).Count(l => l.Contains("\"type\":\"sample\"", StringComparison.Ordinal)) < count)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }
}
