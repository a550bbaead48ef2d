namespace Sluice.Tests;

/// <summary>Work that completes synchronously takes the engine's cheapest path (the pump files a result and reserves the
/// next place in one lock section; the consumer takes several ready results at one look): the guarantees are the same.</summary>
public sealed class BatchSynchronousWorkTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 100)]
    [InlineData(false, 1)]
    [InlineData(false, 100)]
    public async Task Every_item_comes_out_once_and_the_read_ahead_bound_holds_at_every_step(bool ordered, int concurrency)
    {
        const int items = 20_000;
        var options = new BatchOptions { MaxConcurrency = concurrency, Ordered = ordered };
        long taken = 0;

        IEnumerable<int> Source()
        {
            for (int i = 0; i < items; i++)
            {
                taken++;
                yield return i;
            }
        }

        var seen = new bool[items];
        long handed = 0;
        await foreach (var r in Batch.ProcessAsync(Source(), static (i, ct) => ValueTask.FromResult(i * 2), options))
        {
            handed++;
            // Taken and not yet handed out (the one in hand included): never more than the read-ahead.
            Assert.True(taken - handed + 1 <= options.ReadAheadLimit, $"{taken} taken, {handed} handed, read-ahead {options.ReadAheadLimit}");
            Assert.True(r.Succeeded);
            Assert.Equal(r.Index * 2, r.Value);
            Assert.False(seen[r.Index], $"item {r.Index} came out twice");
            seen[r.Index] = true;
            if (ordered)
            {
                Assert.Equal(handed - 1, r.Index);
            }
        }

        Assert.Equal(items, handed);
        Assert.DoesNotContain(false, seen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_fail_fast_nothing_is_handed_out_after_a_synchronous_failure(bool ordered)
    {
        const int items = 10_000, failing = 5_000;
        var failure = new InvalidOperationException("item 5000");
        var options = new BatchOptions { MaxConcurrency = 100, Ordered = ordered, FailFast = true };
        int handed = 0;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, items),
                               (i, ct) => i == failing ? ValueTask.FromException<int>(failure) : ValueTask.FromResult(i), options))
            {
                handed++;
                Assert.True(r.Succeeded);
            }
        });

        Assert.Same(failure, thrown);
        Assert.True(handed < items, $"{handed} handed out");
        if (ordered)
        {
            Assert.True(handed <= failing, $"{handed} handed out in order past the failed item {failing}");
        }
    }

    [Fact]
    public async Task Breaking_out_after_a_few_results_stops_the_run()
    {
        long taken = 0;

        IEnumerable<int> Source()
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                Interlocked.Increment(ref taken);
                yield return i;
            }
        }

        var options = new BatchOptions { MaxConcurrency = 100, Ordered = false };
        int handed = 0;
        await foreach (var r in Batch.ProcessAsync(Source(), static (i, ct) => ValueTask.FromResult(i), options))
        {
            if (++handed == 10)
            {
                break;
            }
        }

        Assert.True(Interlocked.Read(ref taken) <= 10 + options.ReadAheadLimit, $"{taken} taken");
    }

    // A collection source (it knows its count) with the run counting its own slots: the pump reserves places in groups
    // and files the results of synchronous work together. The same guarantees, checked with a collection that counts
    // what is taken from it.

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 7)]
    [InlineData(true, 100)]
    [InlineData(false, 1)]
    [InlineData(false, 7)]
    [InlineData(false, 100)]
    public async Task From_a_collection_every_item_comes_out_once_and_the_read_ahead_bound_holds_at_every_step(bool ordered, int concurrency)
    {
        const int items = 20_003;
        var source = new CountingCollection(items);
        var options = new BatchOptions { MaxConcurrency = concurrency, Ordered = ordered };
        var seen = new bool[items];
        long handed = 0;
        await foreach (var r in Batch.ProcessAsync(source, static (i, ct) => ValueTask.FromResult(i * 2), options))
        {
            handed++;
            Assert.True(source.Taken - handed + 1 <= options.ReadAheadLimit, $"{source.Taken} taken, {handed} handed, read-ahead {options.ReadAheadLimit}");
            Assert.True(r.Succeeded);
            Assert.Equal(r.Index * 2, r.Value);
            Assert.False(seen[r.Index], $"item {r.Index} came out twice");
            seen[r.Index] = true;
            if (ordered)
            {
                Assert.Equal(handed - 1, r.Index);
            }
        }

        Assert.Equal(items, handed);
        Assert.DoesNotContain(false, seen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task From_a_collection_that_fails_every_item_taken_before_is_handed_out_then_its_exception(bool ordered)
    {
        const int failAt = 1_005; // not a multiple of the group: the failure comes in the middle of one
        var failure = new IOException("the collection broke");
        var source = new CountingCollection(10_000, failAt, failure);
        var indexes = new List<long>();
        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var r in Batch.ProcessAsync(source, static (i, ct) => ValueTask.FromResult(i),
                               new BatchOptions { MaxConcurrency = 100, Ordered = ordered }))
            {
                indexes.Add(r.Index);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(Enumerable.Range(0, failAt).Select(i => (long)i), ordered ? indexes : indexes.Order());
    }

    [Fact]
    public async Task From_a_collection_a_mixture_of_synchronous_and_asynchronous_work_comes_out_whole_and_progress_ends_at_the_total()
    {
        const int items = 5_000;
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions { MaxConcurrency = 16, Ordered = true, Progress = progress, ProgressInterval = TimeSpan.FromMilliseconds(1) };
        long handed = 0;
        await foreach (var r in Batch.ProcessAsync(new CountingCollection(items), static async (i, ct) =>
                       {
                           if (i % 7 == 0)
                           {
                               await Task.Yield();
                           }

                           return i % 11 == 0 ? throw new InvalidOperationException() : i;
                       }, options))
        {
            Assert.Equal(handed++, r.Index);
            Assert.Equal(r.Index % 11 != 0, r.Succeeded);
        }

        Assert.Equal(items, handed);
        var last = progress.Reports[^1];
        Assert.Equal(items, last.Finished);
        Assert.Equal(0, last.InFlight);
        Assert.All(progress.Reports, p => Assert.True(p.InFlight is >= 0 and <= 16, $"{p.InFlight} in flight"));
        for (int i = 1; i < progress.Reports.Count; i++)
        {
            Assert.True(progress.Reports[i].Finished >= progress.Reports[i - 1].Finished, $"finished went back at report {i}");
        }
    }

    [Fact]
    public async Task From_a_collection_cancelling_stops_the_run_and_throws_the_callers_token()
    {
        using var cts = new CancellationTokenSource();
        var source = new CountingCollection(1_000_000);
        int handed = 0;
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in Batch.ProcessAsync(source, static (i, ct) => ValueTask.FromResult(i),
                               new BatchOptions { MaxConcurrency = 100 }, cts.Token))
            {
                if (++handed == 1_000)
                {
                    cts.Cancel();
                }
            }
        });

        Assert.Equal(cts.Token, thrown.CancellationToken);
        Assert.True(source.Taken <= 1_000 + 2 * 100, $"{source.Taken} taken");
    }

    [Fact]
    public async Task From_a_collection_breaking_out_stops_the_run()
    {
        var source = new CountingCollection(1_000_000);
        var options = new BatchOptions { MaxConcurrency = 100, Ordered = false };
        int handed = 0;
        await foreach (var r in Batch.ProcessAsync(source, static (i, ct) => ValueTask.FromResult(i), options))
        {
            if (++handed == 10)
            {
                break;
            }
        }

        Assert.True(source.Taken <= 10 + options.ReadAheadLimit, $"{source.Taken} taken");
    }

    /// <summary>0, 1, … as a collection (so the run knows its count), counting the items taken; optionally throws when
    /// item <c>failAt</c> is asked for.</summary>
    private sealed class CountingCollection(int count, int failAt = -1, Exception? failure = null) : ICollection<int>
    {
        private long _taken;

        public long Taken => Interlocked.Read(ref _taken);

        public int Count => count;

        public bool IsReadOnly => true;

        public IEnumerator<int> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                if (i == failAt)
                {
                    throw failure!;
                }

                Interlocked.Increment(ref _taken);
                yield return i;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool Contains(int item) => item >= 0 && item < count;

        public void CopyTo(int[] array, int arrayIndex) => throw new NotSupportedException();

        public void Add(int item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Remove(int item) => throw new NotSupportedException();
    }
}
