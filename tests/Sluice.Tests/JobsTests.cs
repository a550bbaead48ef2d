using Microsoft.Extensions.Time.Testing;

namespace Sluice.Tests;

/// <summary>LlamaIndex parity for run_jobs, batch_gather and asyncio_run, and the LlamaIndex failures that must not happen here.</summary>
public sealed class JobsTests
{
    private static Func<CancellationToken, Task<int>> Job(int value, int delayMs = 0, InFlightGauge? gauge = null) => async ct =>
    {
        gauge?.Enter();
        try
        {
            await Task.Delay(delayMs, ct);
            return value;
        }
        finally
        {
            gauge?.Exit();
        }
    };

    [Fact]
    public async Task RunAsync_returns_results_in_input_order_with_at_most_workers_running()
    {
        var gauge = new InFlightGauge();
        var random = new Random(3);
        var jobs = Enumerable.Range(0, 200).Select(i => Job(i, random.Next(0, 4), gauge)).ToList();
        var results = await Jobs.RunAsync(jobs, workers: 7);
        Assert.Equal(Enumerable.Range(0, 200), results);
        Assert.True(gauge.Peak <= 7, $"peak {gauge.Peak}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task RunAsync_with_no_workers_throws_instead_of_hanging(int workers)
    {
        // LlamaIndex #19291: run_jobs(workers=0) waits forever on a zero semaphore.
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Jobs.RunAsync([Job(1)], workers));
        Assert.Equal("workers", ex.ParamName);
    }

    [Fact]
    public async Task RunAsync_rethrows_the_original_exception_after_cancelling_and_awaiting_the_others()
    {
        // LlamaIndex #22401/#22493: the real error is masked by a later one.
        var original = new KeyNotFoundException("customer 42 not found");
        var gauge = new InFlightGauge();
        int started = 0, cancelled = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var jobs = Enumerable.Range(0, 50).Select<int, Func<CancellationToken, Task<int>>>(i => async ct =>
        {
            gauge.Enter();
            if (Interlocked.Increment(ref started) == 4)
            {
                allStarted.TrySetResult();
            }

            try
            {
                if (i == 2)
                {
                    // Fail only once all 4 workers are running, so exactly 3 others are cancelled however the threads
                    // are scheduled. Fewer than 4 running at once fails here with a TimeoutException.
                    await allStarted.Task.WaitAsync(Limits.Patience, CancellationToken.None);
                    throw original;
                }

                await Task.Delay(Timeout.Infinite, ct);
                return i;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw new InvalidOperationException("a secondary error that must not mask the first");
            }
            finally
            {
                gauge.Exit();
            }
        });

        var thrown = await Assert.ThrowsAsync<KeyNotFoundException>(() => Jobs.RunAsync(jobs, workers: 4));
        Assert.Same(original, thrown);
        Assert.Equal(0, gauge.Current);
        Assert.Equal(3, cancelled);
    }

    [Fact]
    public async Task RunAsync_reports_progress_to_the_end()
    {
        var progress = new RecordingProgress<BatchProgress>();
        await Jobs.RunAsync(Enumerable.Range(0, 20).Select(i => Job(i)), workers: 3, progress);
        Assert.Equal(20, progress.Reports[^1].Completed);
        Assert.Equal(20, progress.Reports[^1].Total);
    }

    [Fact]
    public async Task RunAsync_and_GatherAsync_take_their_progress_clock_from_the_time_provider()
    {
        // Each job moves the fake clock on by one second; nothing else does, so the last report says exactly 4 s.
        var time = new FakeTimeProvider();
        var jobs = Enumerable.Range(0, 4).Select(i => (Func<CancellationToken, Task<int>>)(ct =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(i);
        })).ToList();

        var run = new RecordingProgress<BatchProgress>();
        await Jobs.RunAsync(jobs, workers: 1, run, time);
        var gather = new RecordingProgress<BatchProgress>();
        await Jobs.GatherAsync(jobs, waveSize: 1, gather, time);

        foreach (var reports in new[] { run.Reports, gather.Reports })
        {
            Assert.Equal(4, reports[^1].Completed);
            Assert.Equal(TimeSpan.FromSeconds(4), reports[^1].Elapsed);
            Assert.Equal(1.0, reports[^1].ThroughputPerSecond, precision: 9);
        }

        // GatherAsync reports after every job (no interval), in order, then once more with the final counts.
        Assert.Equal([1L, 2, 3, 4, 4], gather.Reports.Select(r => r.Completed));
    }

    [Fact]
    public async Task GatherAsync_keeps_an_indivisible_batch_list_whole_and_in_order()
    {
        // LlamaIndex's own parity case: 5 jobs, batch size 2 → all 5 results.
        var results = await Jobs.GatherAsync(Enumerable.Range(0, 5).Select(i => Job(i, 5 - i)), waveSize: 2);
        Assert.Equal([0, 1, 2, 3, 4], results);
    }

    [Fact]
    public async Task GatherAsync_runs_in_waves()
    {
        // A job of wave k may start only when every job of the earlier waves has finished: exactly 3k of them.
        // No job finishes before every job of its own wave has started (each waits for the others' arrival), so a
        // slow start cannot see a sibling's finish. The wait only counts arrivals and is bounded: without waves, a
        // later job starts early and records fewer than 3k; with smaller waves, the wait times out and the run fails.
        int finished = 0;
        var finishedAtStart = new int[9];
        var arrived = new int[3];
        var waveStarted = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var jobs = Enumerable.Range(0, 9).Select<int, Func<CancellationToken, Task<int>>>(i => async ct =>
        {
            finishedAtStart[i] = Volatile.Read(ref finished);
            int wave = i / 3;
            if (Interlocked.Increment(ref arrived[wave]) == 3)
            {
                waveStarted[wave].TrySetResult();
            }

            await waveStarted[wave].Task.WaitAsync(Limits.Patience, ct);
            await Task.Delay(1 + (i % 3), ct);
            Interlocked.Increment(ref finished);
            return i;
        });
        var results = await Jobs.GatherAsync(jobs, waveSize: 3);
        Assert.Equal(Enumerable.Range(0, 9), results);
        Assert.Equal([0, 0, 0, 3, 3, 3, 6, 6, 6], finishedAtStart);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task GatherAsync_with_a_non_positive_batch_size_throws_instead_of_returning_nothing(int waveSize)
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Jobs.GatherAsync([Job(1)], waveSize));
        Assert.Equal("waveSize", ex.ParamName);
    }

    [Fact]
    public async Task GatherAsync_rethrows_the_original_exception_and_starts_no_further_wave()
    {
        var original = new TimeoutException("upstream timed out");
        int started = 0;
        var jobs = Enumerable.Range(0, 10).Select<int, Func<CancellationToken, Task<int>>>(i => async ct =>
        {
            Interlocked.Increment(ref started);
            await Task.Yield();
            return i == 1 ? throw original : i;
        });
        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => Jobs.GatherAsync(jobs, waveSize: 3));
        Assert.Same(original, thrown);
        Assert.Equal(3, started);
    }

    [Fact]
    public void Run_does_not_deadlock_under_a_single_threaded_synchronization_context()
    {
        // A context that can only run work on the blocked thread: awaiting on it and blocking would deadlock.
        int result = 0;
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new BlockingOnlyContext());
            result = Jobs.Run(async ct =>
            {
                await Task.Delay(5, ct);
                await Task.Yield();
                return 42;
            });
        });
        thread.Start();
        Assert.True(thread.Join(Limits.Patience), "Jobs.Run deadlocked");
        Assert.Equal(42, result);
    }

    [Fact]
    public void Run_surfaces_the_real_exception_unwrapped()
    {
        var original = new FileNotFoundException("missing.jsonl");
        var thrown = Assert.Throws<FileNotFoundException>(() => Jobs.Run<int>(async ct =>
        {
            await Task.Yield();
            throw original;
        }));
        Assert.Same(original, thrown);

        var plain = Assert.Throws<InvalidDataException>(() => Jobs.Run(async ct =>
        {
            await Task.Yield();
            throw new InvalidDataException("bad");
        }));
        Assert.Equal("bad", plain.Message);
    }

    [Fact]
    public async Task Completed_results_survive_one_failing_job_with_the_engine()
    {
        // LlamaIndex #10764: one failure loses every completed result. With Batch.ProcessAsync none is lost.
        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 100),
                           async (i, ct) => { await Task.Yield(); return i == 99 ? throw new HttpRequestException("500") : i; }))
        {
            results.Add(r);
        }

        Assert.Equal(99, results.Count(r => r.Succeeded));
        Assert.Equal(99, Assert.Single(results, r => !r.Succeeded).Input);
    }

    /// <summary>Posts nowhere: anything scheduled on it would never run while its thread blocks.</summary>
    private sealed class BlockingOnlyContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) =>
            throw new InvalidOperationException("work was posted to the blocked thread's context");
    }
}
