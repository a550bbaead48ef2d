namespace Sluice.Tests;

public sealed class BatchOrderingTests
{
    [Fact]
    public async Task Ordered_output_keeps_input_order_with_random_durations()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 300).Select(_ => random.Next(0, 3)).ToArray();
        var seen = new List<long>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 300),
                           async (i, ct) => { await Task.Delay(delays[i], ct); return i; },
                           new BatchOptions { MaxConcurrency = 16 }))
        {
            Assert.Equal(r.Index, r.Value);
            Assert.Equal(r.Index, r.Input);
            seen.Add(r.Index);
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task One_slow_item_holds_back_ordered_output_and_a_full_read_ahead_pauses_admission()
    {
        const int concurrency = 4;
        var options = new BatchOptions { MaxConcurrency = concurrency, ReorderWindowLimit = 20 };
        int readAhead = options.ReadAheadLimit;
        Assert.Equal(20, readAhead);

        var slow = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int taken = 0, fastDone = 0;
        var readAheadFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        IEnumerable<int> Source()
        {
            for (int i = 0; i < 100; i++)
            {
                Interlocked.Increment(ref taken);
                yield return i;
            }
        }

        ValueTask<int> Work(int i, CancellationToken ct)
        {
            if (i == 0)
            {
                return new ValueTask<int>(slow.Task);
            }

            if (Interlocked.Increment(ref fastDone) == readAhead - 1)
            {
                readAheadFull.TrySetResult();
            }

            return ValueTask.FromResult(i);
        }

        await using var results = Batch.ProcessAsync(Source(), Work, options).GetAsyncEnumerator();
        var first = results.MoveNextAsync().AsTask();

        await readAheadFull.Task.WaitAsync(Limits.Patience);
        await Task.Delay(50); // give a wrong implementation the chance to overrun the read-ahead
        Assert.False(first.IsCompleted, "an item after the slow one was handed out before it");
        Assert.Equal(readAhead, Volatile.Read(ref taken));
        Assert.Equal(readAhead - 1, Volatile.Read(ref fastDone));

        slow.SetResult(0);
        Assert.True(await first);
        Assert.Equal(0, results.Current.Index);
        long expected = 1;
        while (await results.MoveNextAsync())
        {
            Assert.Equal(expected++, results.Current.Index);
        }

        Assert.Equal(100, expected);
    }

    [Fact]
    public async Task Unordered_output_comes_in_completion_order()
    {
        var slow = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<long>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 10),
                           (i, ct) => i == 0 ? new ValueTask<int>(slow.Task) : ValueTask.FromResult(i),
                           new BatchOptions { MaxConcurrency = 4, Ordered = false }))
        {
            order.Add(r.Index);
            if (order.Count == 9)
            {
                slow.SetResult(0);
            }
        }

        Assert.Equal(10, order.Count);
        Assert.Equal(0, order[^1]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), order.Order());
    }

    [Fact]
    public async Task Enumerating_twice_runs_the_batch_twice()
    {
        int calls = 0;
        var batch = Batch.ProcessAsync(new[] { 1, 2, 3 }, (i, ct) => { Interlocked.Increment(ref calls); return ValueTask.FromResult(i); });
        int n = 0;
        await foreach (var _ in batch)
        {
            n++;
        }

        await foreach (var _ in batch)
        {
            n++;
        }

        Assert.Equal(6, n);
        Assert.Equal(6, calls);
    }
}
