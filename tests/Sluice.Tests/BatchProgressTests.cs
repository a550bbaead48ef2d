using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.Tests;

public sealed class BatchProgressTests
{
    [Fact]
    public async Task Progress_is_monotonic_and_the_last_report_has_the_final_counts()
    {
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions { MaxConcurrency = 8, Progress = progress, ProgressInterval = TimeSpan.Zero };
        await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 500), async (i, ct) =>
                       {
                           await Task.Yield();
                           return i % 10 == 0 ? throw new InvalidOperationException() : i;
                       }, options))
        {
        }

        var reports = progress.Reports;
        Assert.True(reports.Count > 10, $"only {reports.Count} reports");
        for (int i = 1; i < reports.Count; i++)
        {
            Assert.True(reports[i].Completed >= reports[i - 1].Completed, $"completed went back at report {i}");
            Assert.True(reports[i].Failed >= reports[i - 1].Failed, $"failed went back at report {i}");
        }

        var last = reports[^1];
        Assert.Equal(450, last.Completed);
        Assert.Equal(50, last.Failed);
        Assert.Equal(0, last.InFlight);
        Assert.Equal(500, last.Total);
        Assert.Equal(8, last.ConcurrencyLimit);
        Assert.All(reports, r => Assert.True(r.InFlight is >= 0 and <= 8));
    }

    [Fact]
    public async Task Total_becomes_known_when_an_unsized_source_ends()
    {
        var progress = new RecordingProgress<BatchProgress>();
        await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 30).Where(i => i >= 0),
                           (i, ct) => ValueTask.FromResult(i), new BatchOptions { Progress = progress, ProgressInterval = TimeSpan.Zero }))
        {
        }

        Assert.Null(progress.Reports[0].Total);
        Assert.Equal(30, progress.Reports[^1].Total);
        Assert.Equal(30, progress.Reports[^1].Completed);
    }

    [Fact]
    public async Task Elapsed_throughput_and_remaining_come_from_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions
        {
            MaxConcurrency = 1,
            TimeProvider = time,
            Progress = progress,
            ProgressInterval = TimeSpan.Zero,
        };

        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 4), (i, ct) =>
                       {
                           time.Advance(TimeSpan.FromSeconds(2)); // each item "takes" exactly two seconds
                           return ValueTask.FromResult(i);
                       }, options))
        {
            results.Add(r);
        }

        Assert.All(results, r => Assert.Equal(TimeSpan.FromSeconds(2), r.Elapsed));
        var first = progress.Reports[0];
        Assert.Equal(1, first.Completed);
        Assert.Equal(TimeSpan.FromSeconds(2), first.Elapsed);
        Assert.Equal(0.5, first.ThroughputPerSecond, 6);
        Assert.Equal(TimeSpan.FromSeconds(6), first.EstimatedRemaining);
        Assert.Equal(TimeSpan.Zero, progress.Reports[^1].EstimatedRemaining);
    }

    [Fact]
    public async Task Progress_is_paced_by_the_interval()
    {
        var time = new FakeTimeProvider();
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions { MaxConcurrency = 1, TimeProvider = time, Progress = progress, ProgressInterval = TimeSpan.FromSeconds(10) };
        await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 100), (i, ct) =>
                       {
                           time.Advance(TimeSpan.FromSeconds(1));
                           return ValueTask.FromResult(i);
                       }, options))
        {
        }

        // One report at the first item, then one per 10 s of fake time, then the final one.
        Assert.InRange(progress.Reports.Count, 10, 12);
        Assert.Equal(100, progress.Reports[^1].Completed);
    }

    [Fact]
    public async Task Items_are_counted_on_the_Sluice_meter_and_a_run_is_an_activity()
    {
        long completed = 0, failed = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sluice" && instrument.Name.StartsWith("sluice.batch.items.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            if (instrument.Name == "sluice.batch.items.completed")
            {
                Interlocked.Add(ref completed, value);
            }
            else if (instrument.Name == "sluice.batch.items.failed")
            {
                Interlocked.Add(ref failed, value);
            }
        });
        meters.Start();

        var stopped = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Sluice",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => { lock (stopped) { stopped.Add(a); } },
        };
        ActivitySource.AddActivityListener(activities);

        await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 1237),
                           (i, ct) => i < 37 ? throw new ArithmeticException() : ValueTask.FromResult(i)))
        {
        }

        // Other tests may run at the same time and add to the counters, never subtract.
        Assert.True(Interlocked.Read(ref completed) >= 1200, $"completed counter {completed}");
        Assert.True(Interlocked.Read(ref failed) >= 37, $"failed counter {failed}");
        lock (stopped)
        {
            Assert.Contains(stopped, a => a.OperationName == "sluice.batch"
                && Equals(a.GetTagItem("sluice.items.completed"), 1200L)
                && Equals(a.GetTagItem("sluice.items.failed"), 37L));
        }
    }
}
