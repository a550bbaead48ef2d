using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;

namespace Sluice.Tests;

public sealed class BatchResilienceTests
{
    [Fact]
    public async Task A_retry_pipeline_retries_attempts_and_counts_them()
    {
        var attemptsByItem = new int[50];
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.Zero, ShouldHandle = new PredicateBuilder().Handle<TimeoutException>() })
            .Build();

        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 50), async (i, ct) =>
                       {
                           await Task.Yield();
                           int attempt = Interlocked.Increment(ref attemptsByItem[i]);
                           if (i % 5 == 0 && attempt <= 2)
                           {
                               throw new TimeoutException($"transient {i}");
                           }

                           if (i == 7)
                           {
                               throw new ArgumentException("permanent");
                           }

                           return i;
                       }, new BatchOptions { MaxConcurrency = 4, ItemResilience = pipeline }))
        {
            results.Add(r);
        }

        Assert.Equal(50, results.Count);
        Assert.All(results.Where(r => r.Input % 5 == 0), r =>
        {
            Assert.True(r.Succeeded);
            Assert.Equal(3, r.Attempts);
        });
        var permanent = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal(7, permanent.Input);
        Assert.Equal(1, permanent.Attempts);
        Assert.IsType<ArgumentException>(permanent.Error);
    }

    [Fact]
    public async Task A_rate_limiter_gates_every_attempt_and_concurrency_still_holds()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 2, QueueLimit = 1000 });
        var gauge = new InFlightGauge();
        int n = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 40), async (i, ct) =>
                       {
                           gauge.Enter();
                           await Task.Delay(1, ct);
                           gauge.Exit();
                           return i;
                       }, new BatchOptions { MaxConcurrency = 8, RateLimiter = limiter }))
        {
            Assert.True(r.Succeeded);
            n++;
        }

        Assert.Equal(40, n);
        Assert.True(gauge.Peak <= 2, $"peak {gauge.Peak} exceeded the limiter's 2 permits");
    }

    [Fact]
    public async Task A_refused_rate_limit_lease_fails_the_item_with_a_clear_error()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 });
        using var held = limiter.AttemptAcquire(1);
        Assert.True(held.IsAcquired);

        var results = new List<ItemResult<int, int>>();
        await foreach (var r in Batch.ProcessAsync(new[] { 1 }, (i, ct) => ValueTask.FromResult(i),
                           new BatchOptions { RateLimiter = limiter }))
        {
            results.Add(r);
        }

        Assert.IsType<RateLimitRejectedException>(Assert.Single(results).Error);
    }
}
