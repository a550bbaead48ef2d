namespace Sluice.Tests;

public sealed class FollowingConcurrencyLimitTests
{
    /// <summary>A limit whose size the test sets, standing in for an adaptive one.</summary>
    private sealed class SettableLimit(int slots) : CountedConcurrencyLimit
    {
        private int _slots = slots;

        public override int MaximumLimit => 100;

        public void Set(int slots) => Volatile.Write(ref _slots, slots);

        protected override int SlotsLocked => Volatile.Read(ref _slots);
    }

    [Fact]
    public async Task It_grants_as_many_slots_as_the_followed_limit_allows_without_taking_its_slots()
    {
        var source = new SettableLimit(2);
        var follower = new FollowingConcurrencyLimit(source);
        await follower.AcquireAsync(CancellationToken.None);
        await follower.AcquireAsync(CancellationToken.None);
        var third = follower.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(0, source.InUse);

        source.Set(3); // the followed limit grew; the follower grants on its next release
        follower.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(1), true));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, follower.InUse);
        Assert.Equal(3, follower.CurrentLimit);
        Assert.Equal(100, follower.MaximumLimit);
    }

    [Fact]
    public async Task A_batch_following_a_limit_never_runs_more_items_than_it_allows()
    {
        var source = new SettableLimit(3);
        var gauge = new InFlightGauge();
        var progress = new RecordingProgress<BatchProgress>();
        var options = new BatchOptions { ConcurrencyLimit = new FollowingConcurrencyLimit(source), Progress = progress, ProgressInterval = TimeSpan.Zero };

        // Items are held until the limit has been reached once (3 before item 100 raises it, 5 after), so reaching
        // it is proven rather than hoped for; a batch that never reaches it fails every held item with a timeout.
        var reached3 = new HoldUntil();
        var reached5 = new HoldUntil();
        int peakBeforeRaise = -1;
        int n = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 200), async (i, ct) =>
                       {
                           gauge.Enter();
                           try
                           {
                               int now = gauge.Current;
                               if (now >= 3)
                               {
                                   reached3.Release();
                               }

                               if (now >= 5)
                               {
                                   reached5.Release();
                               }

                               if (i < 100)
                               {
                                   await reached3.WaitAsync(ct);
                               }
                               else if (i > 100)
                               {
                                   await reached5.WaitAsync(ct);
                               }

                               await Task.Delay(1, ct);
                               if (i == 100)
                               {
                                   // The follower grants the new slots on its next release: this item's own.
                                   Volatile.Write(ref peakBeforeRaise, gauge.Peak);
                                   source.Set(5);
                               }

                               return i;
                           }
                           finally
                           {
                               gauge.Exit();
                           }
                       }, options))
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
            n++;
        }

        Assert.Equal(200, n);
        Assert.Equal(3, peakBeforeRaise);
        Assert.Equal(5, gauge.Peak);
        Assert.Equal(5, progress.Reports[^1].ConcurrencyLimit);
        Assert.Equal(200, (options with { Ordered = false }).ReadAheadLimit); // twice the followed limit's maximum
        Assert.Equal(BatchOptions.DefaultReorderWindowLimit, options.ReadAheadLimit); // ordered: the reorder window's bound
    }

    /// <summary>Holds callers until released; if that takes longer than <see cref="Limits.Patience"/>, every wait fails at once.</summary>
    private sealed class HoldUntil
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _released.Task.WaitAsync(Limits.Patience, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                _released.TrySetException(ex);
                throw;
            }
        }
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_slot()
    {
        var follower = new FollowingConcurrencyLimit(new SettableLimit(1));
        await follower.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = follower.AcquireAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        follower.Release(new ConcurrencyFeedback(TimeSpan.Zero, true));
        Assert.Equal(0, follower.InUse);
    }
}
