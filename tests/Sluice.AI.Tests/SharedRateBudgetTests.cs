using System.Diagnostics;

namespace Sluice.AI.Tests;

/// <summary>A <see cref="SharedRateBudget"/> on the real clock with an in-process leaser; the cross-process contract
/// (cluster, Redis) is in Sluice.Cluster.Tests.</summary>
public sealed class SharedRateBudgetTests
{
    /// <summary>A leaser that can be cut off, as a silo or process loses its leaser.</summary>
    private sealed class Switchable(CapacityLeaser inner) : CapacityLeaser
    {
        public volatile bool CutOff;

        public volatile CapacityRequest? LastGranted;

        public override async ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default)
        {
            if (CutOff)
            {
                throw new HttpRequestException("the leaser is unreachable");
            }

            var lease = await inner.LeaseAsync(request, cancellationToken);
            LastGranted = request;
            return lease;
        }

        public override ValueTask ReturnAsync(string lane, string holder, CancellationToken cancellationToken = default) =>
            inner.ReturnAsync(lane, holder, cancellationToken);
    }

    [Fact]
    public async Task Nothing_is_granted_before_the_first_lease_and_the_lane_rate_after_it()
    {
        var leaser = new Switchable(new InProcessCapacityLeaser()) { CutOff = true };
        using var budget = new SharedRateBudget("lane", leaser, new RateBudgetOptions { RequestsPerMinute = 600 });
        await Task.Delay(300);
        Assert.False(budget.AttemptAcquire(0).IsAcquired); // no lease yet: nothing to spend
        Assert.True(budget.Renewals.Failed >= 1);

        leaser.CutOff = false;
        var started = Stopwatch.StartNew();
        int granted = 0;
        while (started.Elapsed < TimeSpan.FromSeconds(3))
        {
            using var lease = await budget.AcquireAsync(0);
            granted++;
        }

        // 600 a minute with 97 % headroom: about 29 in 3 s (less the wait for the first renewal).
        Assert.InRange(granted, 15, 32);
        Assert.Equal(600 * 0.97, budget.Lease!.LimitsPerMinute.Requests!.Value, 6);
    }

    [Fact]
    public async Task A_holder_cut_off_from_its_leaser_stops_when_its_lease_ends()
    {
        var leaser = new Switchable(new InProcessCapacityLeaser(new CapacityAllocatorOptions { LeaseDuration = TimeSpan.FromSeconds(1), StarvedRenewal = TimeSpan.FromMilliseconds(100) }));
        using var budget = new SharedRateBudget("lane", leaser, new RateBudgetOptions { RequestsPerMinute = 6_000 });
        while (budget.Lease is null)
        {
            await Task.Delay(20);
        }

        leaser.CutOff = true;
        await Task.Delay(1_500); // past the lease
        int granted = 0;
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(1))
        {
            if (budget.AttemptAcquire(0).IsAcquired)
            {
                granted++;
            }

            await Task.Delay(5);
        }

        Assert.True(granted <= 1, $"granted {granted} requests after the lease ended"); // at most the balance left in the bucket
        Assert.Null(budget.Lease);
    }

    [Fact]
    public async Task A_holder_whose_callers_stop_gives_its_share_to_a_busy_one_within_a_second()
    {
        var leaser = new InProcessCapacityLeaser(); // leases of 4 s, renewed at 2 s: the defaults
        var options = new RateBudgetOptions { RequestsPerMinute = 6_000 };
        using var busy = new SharedRateBudget("lane", leaser, options);
        using var quitting = new SharedRateBudget("lane", leaser, options);
        using var stopBusy = new CancellationTokenSource();
        using var stopQuitting = new CancellationTokenSource();
        var callers = new[] { CallAsync(busy, stopBusy.Token), CallAsync(quitting, stopQuitting.Token) };

        await Task.Delay(3_000); // both wait for the budget: each holds about half of 97 a second
        Assert.InRange(quitting.Lease!.GrantedPerSecond.Requests!.Value, 30, 67);
        await stopQuitting.CancelAsync();
        var stopped = Stopwatch.StartNew();
        while (busy.Lease!.GrantedPerSecond.Requests!.Value < 90)
        {
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(1.5), $"the busy holder still had {busy.Lease.GrantedPerSecond.Requests} a second 1.5 s after the other stopped");
            await Task.Delay(20);
        }

        await stopBusy.CancelAsync();
        await Task.WhenAll(callers);

        static async Task CallAsync(SharedRateBudget budget, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    using var lease = await budget.AcquireAsync(1, stop);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [Fact]
    public async Task Demand_counted_while_renewals_fail_is_reported_by_the_next_renewal_that_succeeds()
    {
        var leaser = new Switchable(new InProcessCapacityLeaser());
        using var budget = new SharedRateBudget("lane", leaser, new RateBudgetOptions { RequestsPerMinute = 60_000 });
        while (budget.Lease is null)
        {
            await Task.Delay(20);
        }

        leaser.CutOff = true;
        long failed = budget.Renewals.Failed;
        for (int i = 0; i < 400; i++)
        {
            budget.AttemptAcquire(0).Dispose(); // demand, counted whether or not it is granted
        }

        while (budget.Renewals.Failed < failed + 2)
        {
            await Task.Delay(20); // at least two renewals failed, each carrying the 400
        }

        leaser.LastGranted = null;
        leaser.CutOff = false;
        while (leaser.LastGranted is null)
        {
            await Task.Delay(20);
        }

        // 400 asked over the second or so since the last success: far above the foothold of 1 a second.
        Assert.True(leaser.LastGranted.WantsPerSecond.Requests > 50, $"the renewal after the failures reported {leaser.LastGranted.WantsPerSecond.Requests} a second");
    }

    [Fact]
    public void A_lane_opened_with_a_leaser_draws_a_shared_budget()
    {
        var options = new SluiceClientOptions { RateBudget = { RequestsPerMinute = 60, Leaser = new InProcessCapacityLeaser() }, Lanes = new ProviderLaneRegistry() };
        var lane = options.Lanes.GetOrAdd(new Uri("http://127.0.0.1:1/v1"), "m", "sk-secret", options);
        using var budget = lane.Budget;
        Assert.IsType<SharedRateBudget>(budget);
    }
}
