namespace Sluice.Tests;

public sealed class BatchConcurrencyTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(16, false)]
    [InlineData(64, true)]
    public async Task Concurrency_never_exceeds_the_limit_and_reaches_it(int limit, bool ordered)
    {
        var gauge = new InFlightGauge();
        var reachedLimit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new BatchOptions { MaxConcurrency = limit, Ordered = ordered };

        async ValueTask<int> Work(int item, CancellationToken ct)
        {
            gauge.Enter();
            try
            {
                if (gauge.Current >= limit)
                {
                    reachedLimit.TrySetResult();
                }

                // Hold every item until the limit has been reached once, so reaching it is proven, not hoped for.
                await reachedLimit.Task.WaitAsync(Limits.Patience, ct);
                await Task.Yield();
                return item * 2;
            }
            finally
            {
                gauge.Exit();
            }
        }

        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, limit * 10), Work, options))
        {
            results.Add(r);
        }

        Assert.Equal(limit * 10, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Equal(limit, gauge.Peak);
    }

    [Fact]
    public async Task A_shared_concurrency_limit_bounds_two_runs_together()
    {
        var shared = new FixedConcurrencyLimit(3);
        var gauge = new InFlightGauge();
        var options = new BatchOptions { ConcurrencyLimit = shared };

        async ValueTask<int> Work(int item, CancellationToken ct)
        {
            gauge.Enter();
            await Task.Delay(1, ct);
            gauge.Exit();
            return item;
        }

        async Task<int> Drain()
        {
            int n = 0;
            await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 60), Work, options))
            {
                Assert.True(r.Succeeded);
                n++;
            }

            return n;
        }

        var counts = await Task.WhenAll(Drain(), Drain());
        Assert.Equal([60, 60], counts);
        Assert.True(gauge.Peak <= 3, $"peak {gauge.Peak} exceeded the shared limit 3");
        Assert.Equal(0, shared.InUse);
    }

    [Fact]
    public async Task The_source_is_pulled_lazily_within_twice_the_concurrency()
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

        var options = new BatchOptions { MaxConcurrency = concurrency, Ordered = false };
        await foreach (var r in Batch.ProcessAsync(CountingSource(), static (i, ct) => ValueTask.FromResult(i), options))
        {
            Interlocked.Increment(ref received);
            await Task.Yield(); // a consumer slower than the work: the source must wait for it
        }

        Assert.Equal(500, Interlocked.Read(ref received));
        Assert.True(worstLead <= 2 * concurrency, $"source ran {worstLead} items ahead of the consumer; bound is {2 * concurrency}");
        Assert.Equal(2 * concurrency, worstLead); // and the read-ahead is actually used
    }

    [Fact]
    public async Task An_async_source_is_pulled_lazily_too()
    {
        const int concurrency = 3;
        long taken = 0, received = 0, worstLead = 0;

        async IAsyncEnumerable<int> CountingSource()
        {
            for (int i = 0; i < 200; i++)
            {
                await Task.Yield();
                long lead = Interlocked.Increment(ref taken) - Interlocked.Read(ref received);
                InterlockedMax(ref worstLead, lead);
                yield return i;
            }
        }

        int expected = 0;
        var options = new BatchOptions { MaxConcurrency = concurrency, ReorderWindowLimit = 10 };
        await foreach (var r in Batch.ProcessAsync(CountingSource(), static async (i, ct) => { await Task.Yield(); return i; }, options))
        {
            Assert.Equal(expected++, r.Value);
            Interlocked.Increment(ref received);
            await Task.Delay(1);
        }

        Assert.Equal(200, expected);
        Assert.Equal(10, options.ReadAheadLimit);
        Assert.True(worstLead <= options.ReadAheadLimit, $"lead {worstLead}");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
