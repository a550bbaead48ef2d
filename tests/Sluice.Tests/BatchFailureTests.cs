namespace Sluice.Tests;

public sealed class BatchFailureTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Without_fail_fast_every_input_yields_exactly_one_result(bool ordered)
    {
        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 1000), async (i, ct) =>
                       {
                           if (i % 2 == 0)
                           {
                               await Task.Yield();
                           }

                           return i % 7 == 3 ? throw new InvalidOperationException($"item {i} failed") : i;
                       }, new BatchOptions { MaxConcurrency = 8, Ordered = ordered }))
        {
            results.Add(r);
        }

        Assert.Equal(1000, results.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), results.Select(r => r.Index).Order());
        var failed = results.Where(r => !r.Succeeded).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Count(i => i % 7 == 3), failed.Count);
        Assert.All(failed, r =>
        {
            Assert.Equal(3, r.Input % 7);
            Assert.Equal($"item {r.Input} failed", r.Error!.Message);
            Assert.Equal(default, r.Value);
            Assert.Equal(1, r.Attempts);
        });
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(r.Input, r.Value));
    }

    [Fact]
    public async Task With_fail_fast_the_first_failure_cancels_the_rest_and_is_thrown_itself()
    {
        var boom = new FormatException("bad record 13");
        var gauge = new InFlightGauge();
        int started = 0, cancelledSiblings = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async ValueTask<int> Work(int i, CancellationToken ct)
        {
            gauge.Enter();
            if (Interlocked.Increment(ref started) == 20)
            {
                allStarted.TrySetResult();
            }

            try
            {
                if (i == 13)
                {
                    // Fail only once all 20 slots are running, so there are exactly 19 siblings to cancel however the
                    // threads are scheduled. A batch that never runs 20 at once fails here with a TimeoutException.
                    await allStarted.Task.WaitAsync(Limits.Patience, CancellationToken.None);
                    throw boom;
                }

                await Task.Delay(Timeout.Infinite, ct);
                return i;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelledSiblings);
                throw;
            }
            finally
            {
                gauge.Exit();
            }
        }

        var thrown = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 1000), Work,
                               new BatchOptions { MaxConcurrency = 20, FailFast = true }))
            {
            }
        });

        Assert.Same(boom, thrown);
        Assert.Equal(0, gauge.Current); // everything was awaited before the throw
        Assert.Equal(19, cancelledSiblings);
    }

    [Fact]
    public async Task Cancellation_stops_admission_cancels_running_work_and_ends_with_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var gauge = new InFlightGauge();
        int pulled = 0, cancelledWork = 0;
        var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        IEnumerable<int> Source()
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
            }
        }

        async ValueTask<int> Work(int i, CancellationToken ct)
        {
            gauge.Enter();
            if (gauge.Current == 6)
            {
                allRunning.TrySetResult();
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return i;
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelledWork);
                throw;
            }
            finally
            {
                gauge.Exit();
            }
        }

        var run = Task.Run(async () =>
        {
            await foreach (var _ in Batch.ProcessAsync(Source(), Work, new BatchOptions { MaxConcurrency = 6 }, cts.Token))
            {
            }
        });

        await allRunning.Task.WaitAsync(Limits.Patience);
        int pulledBeforeCancel = Volatile.Read(ref pulled);
        cts.Cancel();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Limits.Patience));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(6, cancelledWork);
        Assert.Equal(0, gauge.Current);
        Assert.True(Volatile.Read(ref pulled) <= pulledBeforeCancel + 1, "the source was read after cancellation");
    }

    [Fact]
    public async Task A_token_given_to_WithCancellation_cancels_too()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 1000),
                               async (i, ct) => { await Task.Delay(1, ct); return i; }).WithCancellation(cts.Token))
            {
                if (++seen == 10)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.Equal(10, seen);
    }

    [Fact]
    public async Task A_failing_source_yields_every_taken_item_and_then_its_own_exception()
    {
        var broken = new IOException("disk read error at line 42");

        IEnumerable<int> Source()
        {
            for (int i = 0; i < 42; i++)
            {
                yield return i;
            }

            throw broken;
        }

        var received = new List<int>();
        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var r in Batch.ProcessAsync(Source(), async (i, ct) => { await Task.Yield(); return i; }))
            {
                received.Add(r.Value);
            }
        });

        Assert.Same(broken, thrown);
        Assert.Equal(Enumerable.Range(0, 42), received);
    }

    [Fact]
    public async Task Breaking_out_early_cancels_and_awaits_running_work()
    {
        var gauge = new InFlightGauge();
        int cancelled = 0;
        int n = 0;
        await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 1000), async (i, ct) =>
                       {
                           gauge.Enter();
                           try
                           {
                               await Task.Delay(i < 5 ? 0 : Timeout.Infinite, ct);
                               return i;
                           }
                           catch (OperationCanceledException)
                           {
                               Interlocked.Increment(ref cancelled);
                               throw;
                           }
                           finally
                           {
                               gauge.Exit();
                           }
                       }, new BatchOptions { MaxConcurrency = 8, Ordered = false }))
        {
            if (++n == 3)
            {
                break;
            }
        }

        Assert.Equal(0, gauge.Current);
        Assert.True(cancelled > 0);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_option_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Batch.ProcessAsync(new[] { 1 }, (i, ct) => ValueTask.FromResult(i), new BatchOptions { MaxConcurrency = 0 }));
        Assert.Contains("MaxConcurrency", ex.Message);
        Assert.Contains("0", ex.Message);

        var interval = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Batch.ProcessAsync(new[] { 1 }, (i, ct) => ValueTask.FromResult(i), new BatchOptions { ProgressInterval = TimeSpan.FromSeconds(-1) }));
        Assert.Contains("ProgressInterval", interval.Message);

        Assert.Throws<ArgumentNullException>(() => Batch.ProcessAsync((IEnumerable<int>)null!, (i, ct) => ValueTask.FromResult(i)));
    }
}
