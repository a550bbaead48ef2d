namespace Sluice.Tests;

/// <summary>Ordered output without head-of-line blocking: a hung item at the head of the reorder window holds back
/// output, not the workers; the reorder window's bound still holds.</summary>
public sealed class BatchHeadOfLineTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with a resilience pipeline, each item waits for its slot on its own
    public async Task A_hung_head_does_not_stop_admission(bool withResilience)
    {
        const int concurrency = 4, items = 1_000;
        var head = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var allOthersStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions
        {
            MaxConcurrency = concurrency,
            Progress = progress,
            ProgressInterval = TimeSpan.Zero,
            ItemResilience = withResilience ? new Polly.ResiliencePipelineBuilder().Build() : null,
        };
        Assert.True(options.Ordered);
        Assert.True(items < options.ReadAheadLimit);

        async ValueTask<int> Work(int i, CancellationToken ct)
        {
            if (Interlocked.Increment(ref started) == items)
            {
                allOthersStarted.TrySetResult();
            }

            if (i == 0)
            {
                return await head.Task.WaitAsync(ct);
            }

            await Task.Yield();
            return i;
        }

        await using var results = Batch.ProcessAsync(Enumerable.Range(0, items), Work, options).GetAsyncEnumerator();
        var first = results.MoveNextAsync().AsTask();

        // While item 0 hangs, every other item is started: far more than 2 × the concurrency.
        await allOthersStarted.Task.WaitAsync(Limits.Patience);
        Assert.False(first.IsCompleted, "an item after the hung head was handed out before it");
        Assert.Equal(items, Volatile.Read(ref started));
        await WaitUntilAsync(() => progress.Reports is [.., { HeldForOrder: items - 1 }]);
        var held = progress.Reports[^1];
        Assert.Equal(items - 1, held.Finished);
        Assert.Equal(1, held.InFlight);

        head.SetResult(0);
        Assert.True(await first);
        long expected = 0;
        do
        {
            Assert.Equal(expected, results.Current.Index);
            Assert.Equal((int)expected, results.Current.Value);
            expected++;
        }
        while (await results.MoveNextAsync());

        Assert.Equal(items, expected);
        Assert.Equal(0, progress.Reports[^1].HeldForOrder);
        Assert.Equal(items, progress.Reports[^1].Completed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reorder_window_bound_is_enforced_behind_a_hung_head(bool withResilience)
    {
        const int concurrency = 4, window = 64, items = 500;
        var options = new BatchOptions
        {
            MaxConcurrency = concurrency,
            ReorderWindowLimit = window,
            ItemResilience = withResilience ? new Polly.ResiliencePipelineBuilder().Build() : null,
        };
        Assert.Equal(window, options.ReadAheadLimit);

        var head = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var windowFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long taken = 0, received = 0, worstLead = 0;
        int othersDone = 0;

        IEnumerable<int> CountingSource()
        {
            for (int i = 0; i < items; i++)
            {
                long lead = Interlocked.Increment(ref taken) - Interlocked.Read(ref received);
                InterlockedMax(ref worstLead, lead);
                yield return i;
            }
        }

        async ValueTask<int> Work(int i, CancellationToken ct)
        {
            if (i == 0)
            {
                return await head.Task.WaitAsync(ct);
            }

            await Task.Yield();
            if (Interlocked.Increment(ref othersDone) == window - 1)
            {
                windowFull.TrySetResult();
            }

            return i;
        }

        await using var results = Batch.ProcessAsync(CountingSource(), Work, options).GetAsyncEnumerator();
        var first = results.MoveNextAsync().AsTask();
        await windowFull.Task.WaitAsync(Limits.Patience);
        await Task.Delay(50); // give a wrong implementation the chance to run past the bound
        Assert.False(first.IsCompleted);
        Assert.Equal(window, Interlocked.Read(ref taken));
        Assert.Equal(window - 1, Volatile.Read(ref othersDone));

        head.SetResult(0);
        Assert.True(await first);
        long expected = 0;
        do
        {
            Assert.Equal(expected++, results.Current.Index);
            Interlocked.Increment(ref received);
            if (expected % 7 == 0)
            {
                await Task.Yield(); // a consumer slower than the work now and then
            }
        }
        while (await results.MoveNextAsync());

        Assert.Equal(items, expected);
        Assert.True(worstLead <= window, $"source ran {worstLead} items ahead of the consumer; bound is {window}");
    }

    [Fact]
    public async Task A_slow_consumer_holds_ordered_output_to_twice_the_concurrency()
    {
        const int concurrency = 5;
        long taken = 0, received = 0, worstLead = 0;

        IEnumerable<int> CountingSource()
        {
            for (int i = 0; i < 500; i++)
            {
                long lead = Interlocked.Increment(ref taken) - Interlocked.Read(ref received);
                InterlockedMax(ref worstLead, lead);
                yield return i;
            }
        }

        var options = new BatchOptions { MaxConcurrency = concurrency };
        Assert.True(options.Ordered);
        long expected = 0;
        await foreach (var r in Batch.ProcessAsync(CountingSource(), static (i, ct) => ValueTask.FromResult(i), options))
        {
            Assert.Equal(expected++, r.Index);
            Interlocked.Increment(ref received);
            await Task.Yield(); // slower than the work: the room beyond 2 × concurrency is for a slow head, not for this
        }

        Assert.Equal(500, expected);
        Assert.True(worstLead <= 2 * concurrency, $"source ran {worstLead} items ahead of the consumer; bound is {2 * concurrency}");
    }

    [Fact]
    public async Task Unordered_output_keeps_twice_the_concurrency_as_its_read_ahead()
    {
        var options = new BatchOptions { MaxConcurrency = 5, Ordered = false, ReorderWindowLimit = 1_000 };
        Assert.Equal(10, options.ReadAheadLimit);
        int n = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 100), static (i, ct) => ValueTask.FromResult(i), options))
        {
            n++;
        }

        Assert.Equal(100, n);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(BatchOptions.MaxAllowedReorderWindowLimit + 1)]
    public void An_out_of_range_reorder_window_limit_is_rejected_by_name(int limit)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Batch.ProcessAsync(new[] { 1 }, static (i, ct) => ValueTask.FromResult(i), new BatchOptions { ReorderWindowLimit = limit }));
        Assert.Contains(nameof(BatchOptions.ReorderWindowLimit), error.Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Limits.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
