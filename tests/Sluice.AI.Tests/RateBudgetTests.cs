using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Sluice.AI;

namespace Sluice.AI.Tests;

/// <summary>Deterministic tests of the rate budget on a fake clock.</summary>
public sealed class RateBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Requests_are_spread_at_the_limit_after_the_burst()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 60, BurstSeconds = 2, InitialFill = 1 }, time);

        // Capacity 2 (60/min × 2 s): two leases at once, the third after one second.
        Assert.True((await budget.AcquireAsync(0)).IsAcquired);
        Assert.True((await budget.AcquireAsync(0)).IsAcquired);
        var third = budget.AcquireAsync(0).AsTask();
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(990));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True((await third.WaitAsync(Patience)).IsAcquired);
    }

    [Fact]
    public async Task A_new_budget_starts_half_full()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 600, BurstSeconds = 1 }, time); // capacity 10
        int granted = 0;
        while (budget.AttemptAcquire(0).IsAcquired)
        {
            granted++;
        }

        Assert.Equal(5, granted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, budget.Snapshot.AvailableRequests!.Value, 6);
    }

    [Fact]
    public async Task Waiters_are_served_first_come_first_served()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 60, TokensPerMinute = 600, BurstSeconds = 1, InitialFill = 1 }, time);
        Assert.True(budget.AttemptAcquire(10).IsAcquired); // drains the tokens (capacity 10)

        // One request per second: each second of fake time grants exactly one waiter, the head of the queue. The
        // expensive head is not overtaken by the cheap ones behind it.
        var waiters = Enumerable.Range(0, 5).Select(i => budget.AcquireAsync(i == 0 ? 10 : 1).AsTask()).ToArray();
        for (int k = 0; k < 5; k++)
        {
            Assert.All(waiters.Skip(k), w => Assert.False(w.IsCompleted, $"waiter {Array.IndexOf(waiters, w)} was granted before waiter {k}"));
            time.Advance(TimeSpan.FromSeconds(1));
            using var lease = await waiters[k].WaitAsync(Patience);
            Assert.True(lease.IsAcquired);
            Assert.Equal(k + 2, budget.Snapshot.Granted);
        }
    }

    [Fact]
    public async Task A_cost_larger_than_the_budget_is_clamped_and_never_hangs()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, TokensPerMinute = 600, BurstSeconds = 1, InitialFill = 1 }, time);
        Assert.True((await budget.AcquireAsync(1_000_000)).IsAcquired); // capacity is 10 tokens: clamped, granted at once
        var next = budget.AcquireAsync(1_000_000).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await next.WaitAsync(Patience)).IsAcquired);
    }

    [Fact]
    public async Task Reconciliation_refunds_and_debits_the_difference()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, TokensPerMinute = 6000, BurstSeconds = 1, InitialFill = 1 }, time); // 100 tokens, 100/s
        Assert.True((await budget.AcquireAsync(100)).IsAcquired);
        var waiting = budget.AcquireAsync(60).AsTask();
        Assert.False(waiting.IsCompleted);

        budget.Reconcile(estimatedTokens: 100, actualTokens: 30); // 70 refunded: the waiter fits now, no time passed
        Assert.True((await waiting.WaitAsync(Patience)).IsAcquired);

        budget.Reconcile(estimatedTokens: 60, actualTokens: 160); // 100 more debited: the balance goes negative
        var snapshot = budget.Snapshot;
        Assert.Equal(160, snapshot.EstimatedTokens);
        Assert.Equal(190, snapshot.ActualTokens);
        Assert.Equal(70, snapshot.RefundedTokens);
        Assert.Equal(100, snapshot.DebitedTokens);
        Assert.True(snapshot.AvailableTokens < 0, $"available {snapshot.AvailableTokens}");
        var after = budget.AcquireAsync(10).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(after.IsCompleted); // -90 + 90 = 0 < 10
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True((await after.WaitAsync(Patience)).IsAcquired);
    }

    [Fact]
    public void An_estimate_larger_than_the_bucket_is_settled_against_what_was_taken()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, TokensPerMinute = 6000, BurstSeconds = 1, InitialFill = 1 }, time); // 100 tokens
        Assert.True(budget.AttemptAcquire(1200).IsAcquired); // clamped: takes the 100 the bucket holds
        budget.Reconcile(estimatedTokens: 1200, actualTokens: 800);

        // 800 tokens were really spent, 100 taken: 700 more are owed, not 400 refunded.
        Assert.Equal(-700, budget.Snapshot.AvailableTokens!.Value, 6);
        Assert.False(budget.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromSeconds(7.01));
        Assert.True(budget.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task When_the_head_waiter_is_cancelled_the_next_one_is_served_at_once()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, TokensPerMinute = 600, BurstSeconds = 1, InitialFill = 1 }, time); // 10 tokens
        Assert.True(budget.AttemptAcquire(8).IsAcquired); // 2 left
        using var cts = new CancellationTokenSource();
        var head = budget.AcquireAsync(10, cts.Token).AsTask(); // must wait 0.8 s
        var small = budget.AcquireAsync(2).AsTask();            // fits now, but queues behind the head (FIFO)
        Assert.False(small.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => head);
        Assert.True((await small.WaitAsync(Patience)).IsAcquired); // no time advanced
    }

    [Fact]
    public async Task A_pause_holds_every_caller_until_it_has_passed()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 6000, InitialFill = 1 }, time);
        budget.PauseFor(TimeSpan.FromSeconds(1));
        Assert.False(budget.AttemptAcquire(0).IsAcquired);
        var held = Enumerable.Range(0, 3).Select(_ => budget.AcquireAsync(0).AsTask()).ToArray();
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.All(held, t => Assert.False(t.IsCompleted));
        time.Advance(TimeSpan.FromMilliseconds(1));
        var leases = await Task.WhenAll(held).WaitAsync(Patience);
        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.Equal(1, budget.Snapshot.Pauses);
    }

    [Fact]
    public void Provider_headers_teach_limits_and_lower_balances()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, BurstSeconds = 1 }, time);
        Assert.Null(budget.Snapshot.RequestsPerMinute);
        budget.Observe(new RateLimitHeaders(LimitRequests: 600, RemainingRequests: 3, ResetRequests: TimeSpan.FromSeconds(1), LimitTokens: 60_000, RemainingTokens: 50, ResetTokens: null));
        var snapshot = budget.Snapshot;
        Assert.Equal(600, snapshot.RequestsPerMinute);
        Assert.Equal(60_000, snapshot.TokensPerMinute);
        Assert.Equal(3, snapshot.AvailableRequests);
        Assert.Equal(50, snapshot.AvailableTokens);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_without_blocking_the_next()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 60, BurstSeconds = 1, InitialFill = 1 }, time);
        Assert.True(budget.AttemptAcquire(0).IsAcquired);
        using var cts = new CancellationTokenSource();
        var cancelled = budget.AcquireAsync(0, cts.Token).AsTask();
        var next = budget.AcquireAsync(0).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await next.WaitAsync(Patience)).IsAcquired);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_a_retry_after()
    {
        var time = new FakeTimeProvider();
        using var budget = new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 60, BurstSeconds = 1, QueueLimit = 1, InitialFill = 1 }, time);
        Assert.True(budget.AttemptAcquire(0).IsAcquired);
        _ = budget.AcquireAsync(0);
        var refused = await budget.AcquireAsync(0);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after));
        Assert.Equal(TimeSpan.FromSeconds(1), after);
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("120ms", 120)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("0.25", 250)]
    public void OpenAI_durations_parse(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), RateLimitHeaders.Duration(text));

    [Fact]
    public void Bad_options_are_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new LocalRateBudget(new RateBudgetOptions { Headroom = 1, RequestsPerMinute = 0 }));
        Assert.Contains("RequestsPerMinute", ex.Message);
        var client = Assert.Throws<ArgumentOutOfRangeException>(() => ProviderLane.Create("test", new SluiceClientOptions { Retry = { MaxAttempts = 0 } }));
        Assert.Contains("SluiceClientOptions.Retry.MaxAttempts", client.Message);
    }
}
