using Microsoft.Extensions.Time.Testing;

namespace Sluice.AI.Tests;

/// <summary>The sharing rules on a fake clock: fair shares by demand, never over the limit at any moment, expiry,
/// learning after a restart, the lane-wide pause.</summary>
public sealed class CapacityAllocatorTests
{
    private const string Lane = "lane";
    private readonly FakeTimeProvider _time = new();

    private static CapacityRequest Ask(string holder, double wants, double? rpm = 600, double has = 0, TimeSpan pause = default) =>
        new(Lane, holder, new BudgetRates(rpm, null), new BudgetRates(wants, 0), new BudgetRates(has, 0), pause);

    [Fact]
    public void A_lone_holder_gets_the_whole_limit_and_renews_at_half_its_lease()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        var lease = allocator.Grant(Ask("a", wants: 1));
        Assert.Equal(10, lease.GrantedPerSecond.Requests!.Value, 6); // 600 a minute; unwanted capacity is spread over the holders
        Assert.Equal(TimeSpan.FromSeconds(2), lease.RenewAfter);
        Assert.Null(lease.GrantedPerSecond.Tokens);
        Assert.Equal(1, lease.Holders);
    }

    [Fact]
    public void A_newcomer_waits_for_what_others_hold_then_both_get_half()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        Assert.Equal(10, allocator.Grant(Ask("a", wants: 10)).GrantedPerSecond.Requests!.Value, 6);

        var starved = allocator.Grant(Ask("b", wants: 10));
        Assert.Equal(0, starved.GrantedPerSecond.Requests!.Value, 6); // a still holds all of it
        Assert.Equal(TimeSpan.FromMilliseconds(250), starved.RenewAfter);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(5, allocator.Grant(Ask("a", wants: 10)).GrantedPerSecond.Requests!.Value, 6); // a comes down at its renewal
        var fair = allocator.Grant(Ask("b", wants: 10));
        Assert.Equal(5, fair.GrantedPerSecond.Requests!.Value, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(250), fair.RenewAfter); // its fair share, but less than it wants: it asks again soon

        _time.Advance(TimeSpan.FromSeconds(2));
        allocator.Grant(Ask("a", wants: 4)); // a's demand fell below its share
        var content = allocator.Grant(Ask("b", wants: 5));
        Assert.Equal(5.5, content.GrantedPerSecond.Requests!.Value, 6); // what it wants, and half of what nobody wants
        Assert.Equal(TimeSpan.FromSeconds(2), content.RenewAfter); // neither starved nor wanting: half the lease
    }

    [Fact]
    public void A_holder_held_below_its_demand_asks_again_soon_and_gets_what_another_gave_up()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        allocator.Grant(Ask("a", wants: 10));
        allocator.Grant(Ask("b", wants: 10));
        _time.Advance(TimeSpan.FromSeconds(2));
        var a = allocator.Grant(Ask("a", wants: 10));
        Assert.Equal(5, a.GrantedPerSecond.Requests!.Value, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(250), a.RenewAfter);

        allocator.Grant(Ask("b", wants: 1)); // b's callers stopped: it says so at once
        _time.Advance(TimeSpan.FromMilliseconds(250));
        a = allocator.Grant(Ask("a", wants: 10));
        Assert.Equal(9, a.GrantedPerSecond.Requests!.Value, 6); // all but what b still wants
    }

    [Fact]
    public void Shares_are_max_min_fair_by_demand()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        allocator.Grant(Ask("small", wants: 2));
        allocator.Grant(Ask("big", wants: 100));
        allocator.Grant(Ask("big2", wants: 100));
        _time.Advance(TimeSpan.FromSeconds(2)); // everyone renews with everyone's demand known
        double small = allocator.Grant(Ask("small", wants: 2)).GrantedPerSecond.Requests!.Value;
        double big = allocator.Grant(Ask("big", wants: 100)).GrantedPerSecond.Requests!.Value;
        double big2 = allocator.Grant(Ask("big2", wants: 100)).GrantedPerSecond.Requests!.Value;
        Assert.Equal(2, small, 6);
        Assert.Equal(4, big, 6);
        Assert.Equal(4, big2, 6);
    }

    [Fact]
    public void The_sum_of_unexpired_grants_never_exceeds_the_limit()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        var random = new Random(7);
        var grants = new Dictionary<string, (double Rate, DateTimeOffset Expires)>();
        for (int step = 0; step < 5_000; step++)
        {
            string holder = $"h{random.Next(8)}";
            switch (random.Next(10))
            {
                case 0:
                    allocator.Return(holder);
                    grants.Remove(holder);
                    break;
                case 1 or 2:
                    _time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 1_500)));
                    break;
                default:
                    var lease = allocator.Grant(Ask(holder, wants: random.NextDouble() * 20));
                    grants[holder] = (lease.GrantedPerSecond.Requests!.Value, _time.GetUtcNow() + lease.Duration);
                    break;
            }

            double held = grants.Values.Where(g => g.Expires > _time.GetUtcNow()).Sum(g => g.Rate);
            Assert.True(held <= 10 + 1e-9, $"step {step}: holders were granted {held}/s of a 10/s limit");
        }
    }

    [Fact]
    public void A_holder_that_stops_renewing_loses_its_share_when_its_lease_expires()
    {
        var allocator = new CapacityAllocator(new CapacityAllocatorOptions { LeaseDuration = TimeSpan.FromSeconds(4) }, _time);
        allocator.Grant(Ask("dies", wants: 10));
        Assert.Equal(0, allocator.Grant(Ask("lives", wants: 10)).GrantedPerSecond.Requests!.Value, 6);
        _time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.Equal(0, allocator.Grant(Ask("lives", wants: 10)).GrantedPerSecond.Requests!.Value, 6); // still held
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(10, allocator.Grant(Ask("lives", wants: 10)).GrantedPerSecond.Requests!.Value, 6);
        Assert.Equal(1, allocator.Holders);
    }

    [Fact]
    public void A_restarted_allocator_honours_leases_it_never_granted_for_one_lease()
    {
        // The old allocator (a budget grain on a silo that died) granted a and b 5/s each; a new one starts empty.
        var allocator = new CapacityAllocator(timeProvider: _time);
        var a = allocator.Grant(Ask("a", wants: 10, has: 5));
        Assert.Equal(5, a.GrantedPerSecond.Requests!.Value, 6); // not the whole limit: it has 5
        Assert.Equal(TimeSpan.FromMilliseconds(250), a.RenewAfter);
        Assert.Equal(0, allocator.Grant(Ask("newcomer", wants: 10)).GrantedPerSecond.Requests!.Value, 6); // b may still spend 5
        Assert.Equal(5, allocator.Grant(Ask("b", wants: 10, has: 5)).GrantedPerSecond.Requests!.Value, 6);

        _time.Advance(TimeSpan.FromSeconds(4.1)); // every old lease has expired: normal sharing again
        allocator.Grant(Ask("a", wants: 10, has: 5));
        allocator.Grant(Ask("b", wants: 10, has: 5));
        _time.Advance(TimeSpan.FromSeconds(2));
        double total = new[] { "a", "b", "newcomer" }.Sum(h => allocator.Grant(Ask(h, wants: 10)).GrantedPerSecond.Requests!.Value);
        Assert.True(total > 9.9, $"after learning the holders got {total}/s of 10/s");
    }

    [Fact]
    public void A_pause_reported_by_one_holder_reaches_the_others()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        allocator.Grant(Ask("a", wants: 10));
        allocator.Grant(Ask("b", wants: 10, pause: TimeSpan.FromSeconds(5)));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), allocator.Grant(Ask("a", wants: 10)).Pause);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.Zero, allocator.Grant(Ask("a", wants: 10)).Pause);
    }

    [Fact]
    public void The_lane_keeps_the_lowest_limit_any_holder_declares()
    {
        var allocator = new CapacityAllocator(timeProvider: _time);
        allocator.Grant(Ask("a", wants: 100, rpm: 600));
        var lease = allocator.Grant(Ask("b", wants: 100, rpm: 300));
        Assert.Equal(300, lease.LimitsPerMinute.Requests);
        Assert.Null(new CapacityAllocator(timeProvider: _time).Grant(Ask("c", wants: 1, rpm: null)).GrantedPerSecond.Requests);
    }

    [Fact]
    public void Each_dimension_is_divided_apart()
    {
        // Input and output tokens limited apart (Anthropic): a holder heavy on output does not crowd out another's input.
        var allocator = new CapacityAllocator(timeProvider: _time);
        var limits = new BudgetRates(null, null, 60_000, 6_000);
        allocator.Grant(new CapacityRequest(Lane, "reader", limits, new BudgetRates(null, null, 900, 10), default, TimeSpan.Zero));
        allocator.Grant(new CapacityRequest(Lane, "writer", limits, new BudgetRates(null, null, 50, 500), default, TimeSpan.Zero));
        _time.Advance(TimeSpan.FromSeconds(2));
        var reader = allocator.Grant(new CapacityRequest(Lane, "reader", limits, new BudgetRates(null, null, 900, 10), default, TimeSpan.Zero)).GrantedPerSecond;
        var writer = allocator.Grant(new CapacityRequest(Lane, "writer", limits, new BudgetRates(null, null, 50, 500), default, TimeSpan.Zero)).GrantedPerSecond;
        Assert.Null(reader.Requests);
        Assert.Equal(925, reader.InputTokens!.Value, 6);  // input: 1,000/s; 900 wanted + half of the 50 nobody wants
        Assert.Equal(75, writer.InputTokens!.Value, 6);   // 50 wanted + the other half
        Assert.Equal(10, reader.OutputTokens!.Value, 6);  // output: 100/s, the reader wants 10
        Assert.Equal(90, writer.OutputTokens!.Value, 6);  // the rest (it wants 500)
    }

    [Fact]
    public void Invalid_options_name_the_option()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CapacityAllocator(new CapacityAllocatorOptions { LeaseDuration = TimeSpan.FromMilliseconds(10) }));
        Assert.Contains("CapacityAllocatorOptions.LeaseDuration", error.Message);
    }
}
