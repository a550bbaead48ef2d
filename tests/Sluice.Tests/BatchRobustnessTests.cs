namespace Sluice.Tests;

/// <summary>Faults around the engine — a failing progress receiver, a shared limit under fail-fast, a consumer with a
/// synchronization context — must neither hang a run nor leak anything.</summary>
public sealed class BatchRobustnessTests
{
    private sealed class ThrowingProgress : IProgress<BatchProgress>
    {
        public int Calls;

        public void Report(BatchProgress value)
        {
            Interlocked.Increment(ref Calls);
            throw new IOException("Broken pipe");
        }
    }

    [Fact]
    public async Task A_progress_receiver_that_throws_neither_hangs_nor_fails_the_run()
    {
        var progress = new ThrowingProgress();
        int n = 0;
        var run = Task.Run(async () =>
        {
            await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 300), async (i, ct) => { await Task.Yield(); return i; },
                               new BatchOptions { Progress = progress, ProgressInterval = TimeSpan.Zero }))
            {
                Assert.True(r.Succeeded);
                n++;
            }
        });
        await run.WaitAsync(Limits.Patience);
        Assert.Equal(300, n);
        Assert.Equal(1, progress.Calls); // not called again after it failed

        var gathered = await Jobs.GatherAsync(Enumerable.Range(0, 10).Select(i => (Func<CancellationToken, Task<int>>)(ct => Task.FromResult(i))), 3, new ThrowingProgress())
            .WaitAsync(Limits.Patience);
        Assert.Equal(Enumerable.Range(0, 10), gathered);
    }

    [Fact]
    public async Task Fail_fast_returns_every_slot_of_a_shared_limit_before_the_enumeration_ends()
    {
        var shared = new FixedConcurrencyLimit(1);
        for (int round = 0; round < 50; round++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var _ in Batch.ProcessAsync(new[] { 1, 2, 3 }, async (i, ct) =>
                                   {
                                       await Task.Yield();
                                       return i == 2 ? throw new InvalidOperationException("boom") : i;
                                   }, new BatchOptions { ConcurrencyLimit = shared, FailFast = true }))
                {
                }
            }).WaitAsync(Limits.Patience);
            Assert.Equal(0, shared.InUse);
        }
    }

    [Fact]
    public async Task Work_never_runs_under_the_consumers_synchronization_context()
    {
        int sawContext = 0;
        var done = new TaskCompletionSource();
        var thread = new Thread(() =>
        {
            var context = new QueueContext();
            SynchronizationContext.SetSynchronizationContext(context);
            var consume = Consume();
            context.RunUntil(consume);
            done.SetResult();
        });

        async Task Consume()
        {
            await foreach (var _ in Batch.ProcessAsync(Enumerable.Range(0, 200), (i, ct) =>
                           {
                               if (SynchronizationContext.Current is not null)
                               {
                                   Interlocked.Increment(ref sawContext);
                               }

                               return ValueTask.FromResult(i);
                           }, new BatchOptions { MaxConcurrency = 2 }))
            {
            }
        }

        thread.Start();
        await done.Task.WaitAsync(Limits.Patience);
        Assert.Equal(0, sawContext);
    }

    /// <summary>A single-threaded context like a UI thread's: posted work runs on the thread that pumps it.</summary>
    private sealed class QueueContext : SynchronizationContext
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(SendOrPostCallback, object?)> _queue = new();

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public void RunUntil(Task task)
        {
            task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
            foreach (var (callback, state) in _queue.GetConsumingEnumerable())
            {
                callback(state);
            }

            task.GetAwaiter().GetResult();
        }
    }
}
