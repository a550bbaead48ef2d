using Microsoft.Extensions.Time.Testing;
using Sluice.AI;

namespace Sluice.AI.Tests;

/// <summary>Deterministic tests of the limit algorithm, driven with synthetic feedback on a fake clock.</summary>
public sealed class AdaptiveConcurrencyLimitTests
{
    private static AdaptiveConcurrencyOptions Options => new() { InitialLimit = 20, MinLimit = 2, MaxLimit = 200 };

    private static AdaptiveConcurrencyOptions With(Action<AdaptiveConcurrencyOptions> change)
    {
        var options = Options;
        change(options);
        return options;
    }

    /// <summary>Runs <paramref name="rounds"/> of a saturated client against a provider of the given capacity whose
    /// latency is multiplied by in-flight ÷ capacity above it, like Sluice.Simulator.</summary>
    private static void Drive(AdaptiveConcurrencyLimit limit, int capacity, int rounds, Func<int, long> tokens)
    {
        for (int round = 0; round < rounds; round++)
        {
            int inFlight = limit.CurrentLimit;
            for (int i = 0; i < inFlight; i++)
            {
                Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
            }

            for (int i = 0; i < inFlight; i++)
            {
                long units = tokens(round * 1000 + i);
                double ms = (20 + units) * Math.Max(1.0, (double)inFlight / capacity);
                limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(ms), true, false, units));
            }
        }
    }

    [Fact]
    public void It_settles_near_the_providers_capacity_whatever_the_output_lengths()
    {
        var limit = new AdaptiveConcurrencyLimit(Options, new FakeTimeProvider());
        var random = new Random(11);
        Drive(limit, capacity: 32, rounds: 300, _ => random.Next(8, 49));
        Assert.InRange(limit.CurrentLimit, 26, 48);
    }

    [Fact]
    public void It_grows_while_latency_stays_flat_and_the_limit_is_used()
    {
        var limit = new AdaptiveConcurrencyLimit(Options, new FakeTimeProvider());
        Drive(limit, capacity: 1000, rounds: 150, _ => 16);
        Assert.True(limit.CurrentLimit > 100, $"limit {limit.CurrentLimit}");
    }

    [Fact]
    public void It_does_not_grow_when_less_than_half_the_limit_is_in_use()
    {
        var limit = new AdaptiveConcurrencyLimit(Options, new FakeTimeProvider());
        for (int i = 0; i < 500; i++)
        {
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
            limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(50), true, false, 10));
        }

        Assert.Equal(20, limit.CurrentLimit);
    }

    [Fact]
    public void Overload_halves_the_limit_at_most_once_per_round_trip()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(Options, time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
        }

        limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(10), false, Overloaded: true));
        limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(10), false, Overloaded: true));
        Assert.Equal(10, limit.CurrentLimit); // a burst of 429s from one moment counts once
        time.Advance(TimeSpan.FromSeconds(1));
        limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(10), false, Overloaded: true));
        Assert.Equal(5, limit.CurrentLimit);
    }

    [Fact]
    public void The_limit_never_leaves_its_bounds()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(With(o => o.MaxLimit = 40), time);
        Drive(limit, capacity: 10_000, rounds: 100, _ => 10);
        Assert.Equal(40, limit.CurrentLimit);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
            time.Advance(TimeSpan.FromSeconds(1));
            limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(10), false, Overloaded: true));
        }

        Assert.Equal(2, limit.CurrentLimit);
    }

    [Fact]
    public async Task Slots_are_granted_in_order_when_they_free_up()
    {
        var limit = new AdaptiveConcurrencyLimit(With(o => o.InitialLimit = 2), new FakeTimeProvider());
        await limit.AcquireAsync(CancellationToken.None);
        await limit.AcquireAsync(CancellationToken.None);
        var third = limit.AcquireAsync(CancellationToken.None).AsTask();
        var fourth = limit.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        limit.Release(new ConcurrencyFeedback(TimeSpan.FromMilliseconds(5), false));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(fourth.IsCompleted);
        Assert.Equal(2, limit.InUse);
    }
}
