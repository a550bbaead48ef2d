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
}
