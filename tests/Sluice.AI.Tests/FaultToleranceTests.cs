using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.AI.Tests;

/// <summary>Faults are not congestion: the adaptive limit holds through random timeouts with flat latency, starts fast,
/// and a fault is retried sooner than an overload.</summary>
public sealed class FaultToleranceTests
{
    /// <summary>One round trip of a saturated client: every slot taken, then released with the scripted outcome.</summary>
    private static void Round(AdaptiveConcurrencyLimit limit, Func<int, ConcurrencyFeedback> outcome)
    {
        int inFlight = limit.CurrentLimit;
        for (int i = 0; i < inFlight; i++)
        {
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
        }

        for (int i = 0; i < inFlight; i++)
        {
            limit.Release(outcome(i));
        }
    }

    private static ConcurrencyFeedback Success(double ms) => new(TimeSpan.FromMilliseconds(ms), true, false, 16);

    private static ConcurrencyFeedback Timeout() => new(TimeSpan.FromSeconds(2), false, TimedOut: true);

    [Fact]
    public void Random_timeouts_with_flat_latency_do_not_lower_the_limit()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        var random = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            Round(limit, _ => random.NextDouble() < 0.03 ? Timeout() : Success(20)); // 3 % hung requests, latency flat
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(64, limit.CurrentLimit);
    }

    [Fact]
    public void Timeouts_with_rising_latency_lower_the_limit()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        Round(limit, _ => Success(20));
        time.Advance(TimeSpan.FromSeconds(1));
        Round(limit, _ => Success(60)); // the provider slows down: queueing
        time.Advance(TimeSpan.FromSeconds(1));
        int before = limit.CurrentLimit;
        Round(limit, i => i == 0 ? Timeout() : Success(60));
        Assert.True(limit.CurrentLimit <= before / 2 + 1, $"limit {limit.CurrentLimit}, was {before}");
    }

    [Fact]
    public void Timeouts_beyond_the_share_random_faults_explain_lower_the_limit_even_with_flat_latency()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        Round(limit, i => i % 2 == 0 ? Timeout() : Success(20)); // half of them time out
        Round(limit, i => i % 2 == 0 ? Timeout() : Success(20));
        Assert.True(limit.CurrentLimit <= 32, $"limit {limit.CurrentLimit}");
    }

    [Fact]
    public void The_limit_doubles_per_round_trip_until_the_first_sign_of_queueing()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider()); // starts at 8
        var seen = new List<int>();
        for (int round = 0; round < 5; round++)
        {
            Round(limit, _ => Success(50));
            seen.Add(limit.CurrentLimit);
        }

        Assert.Equal([16, 32, 64, 128, 256], seen);

        // Latency doubles above 64 in flight: slow start ends and the gradient brings the limit down.
        for (int round = 0; round < 60; round++)
        {
            int inFlight = limit.CurrentLimit;
            Round(limit, _ => Success(50 * Math.Max(1.0, inFlight / 64.0)));
        }

        Assert.InRange(limit.CurrentLimit, 48, 100);
    }

    [Fact]
    public void A_round_in_which_every_attempt_times_out_lowers_the_limit()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        Round(limit, _ => Timeout()); // not one answer in time: no latency to judge, but the provider is not keeping up
        Assert.True(limit.CurrentLimit <= 32, $"limit {limit.CurrentLimit}");
    }

    [Fact]
    public void One_round_a_little_slower_holds_slow_start_instead_of_ending_it()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider()); // starts at 8
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Assert.Equal(32, limit.CurrentLimit);
        Round(limit, _ => Success(25)); // 25 % slower for one round: noise, or queueing? hold and look again
        Assert.Equal(32, limit.CurrentLimit);
        Round(limit, _ => Success(20)); // it was noise: slow start goes on
        Assert.Equal(64, limit.CurrentLimit);
        Round(limit, _ => Success(20));
        Assert.Equal(128, limit.CurrentLimit);
    }

    [Fact]
    public void Two_rounds_a_little_slower_end_slow_start()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(25));
        Round(limit, _ => Success(25)); // slower again: queueing confirmed, the gradient takes over
        for (int round = 0; round < 5; round++)
        {
            Round(limit, _ => Success(20));
        }

        Assert.InRange(limit.CurrentLimit, 32, 60); // grows by the gradient's small steps, no longer doubles
    }

    [Fact]
    public void With_flat_latency_the_limit_reaches_its_maximum_within_the_completions_of_slow_start()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider()); // 8, at most 256
        int completions = 0;
        while (limit.CurrentLimit < 256 && completions < 10_000)
        {
            completions += limit.CurrentLimit;
            Round(limit, _ => Success(50));
        }

        Assert.Equal(256, limit.CurrentLimit);
        Assert.Equal(8 + 16 + 32 + 64 + 128, completions); // one round trip per doubling
    }

    [Fact]
    public void One_clearly_slower_round_at_a_doubling_then_two_usual_rounds_resume_slow_start()
    {
        // A client's own pause (start-up, new connections opened as the limit doubles) looks like one slow round; queueing
        // at the provider would stay. Before, the limit then grew by the gradient's small steps (about +1 per round).
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40)); // clearly slower at 32: slow start ends
        Assert.True(limit.CurrentLimit <= 32, $"limit {limit.CurrentLimit}");
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20)); // two rounds back at the usual latency: the exit was spurious
        for (int round = 0; round < 4; round++)
        {
            Round(limit, _ => Success(20));
        }

        Assert.Equal(256, limit.CurrentLimit);
    }

    [Fact]
    public void A_clearly_slower_round_followed_by_another_ends_slow_start_for_good()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40));
        Round(limit, _ => Success(40)); // still slow: queueing
        for (int round = 0; round < 6; round++)
        {
            Round(limit, _ => Success(20));
        }

        Assert.InRange(limit.CurrentLimit, 16, 60);
    }

    [Fact]
    public void Two_usual_rounds_after_a_one_round_exit_resume_slow_start_even_with_a_slow_round_between_them()
    {
        // On a busy machine the client's own pauses come and go: after the exit, usual and slow rounds alternate. Before,
        // any slow round among the two after the exit ended slow start for good (the gradient then took seconds to 256).
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40)); // clearly slower at 32: slow start ends
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40)); // a pause again, but not two slow rounds in a row
        Assert.True(limit.CurrentLimit < 64, $"limit {limit.CurrentLimit}: slow start should still be over");
        Round(limit, _ => Success(20)); // the second usual round: the exit was spurious
        for (int round = 0; round < 3; round++)
        {
            Round(limit, _ => Success(20));
        }

        Assert.Equal(256, limit.CurrentLimit);
    }

    [Fact]
    public void After_a_one_round_exit_two_slower_rounds_in_a_row_end_slow_start_for_good_even_after_a_usual_round()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40)); // clearly slower at 32: slow start ends
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40));
        Round(limit, _ => Success(40)); // slow twice in a row: queueing
        for (int round = 0; round < 6; round++)
        {
            Round(limit, _ => Success(20));
        }

        Assert.InRange(limit.CurrentLimit, 16, 60); // grows by the gradient's small steps, no longer doubles
    }

    [Fact]
    public void A_lone_slow_round_after_slow_start_does_not_lower_the_limit()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 100, MaxLimit = 200 }, new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(25));
        Round(limit, _ => Success(25)); // two rounds a little slower: slow start is over
        for (int round = 0; round < 5; round++)
        {
            Round(limit, _ => Success(20));
        }

        int before = limit.CurrentLimit;
        Round(limit, _ => Success(50)); // one round held up on the client's side (a pause): the round after is usual again
        Round(limit, _ => Success(20));
        Assert.True(limit.CurrentLimit >= before, $"limit {limit.CurrentLimit}, before the slow round {before}");
        Round(limit, _ => Success(50));
        Round(limit, _ => Success(50)); // slow twice: queueing, and the gradient lowers the limit
        Assert.True(limit.CurrentLimit < before, $"limit {limit.CurrentLimit}, before {before}");
    }

    [Fact]
    public void Answers_to_attempts_started_before_a_doubling_do_not_judge_it()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20)); // 16
        for (int i = 0; i < 16; i++)
        {
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
        }

        for (int i = 0; i < 15; i++)
        {
            limit.Release(Success(20));
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully); // a busy client: a new attempt at once
        }

        limit.Release(Success(20)); // the round's 16th answer, with 15 attempts still in flight: the limit doubles
        Assert.Equal(32, limit.CurrentLimit);
        for (int i = 0; i < 15; i++)
        {
            limit.Release(Success(40)); // started under 16, answered slowly: a round of these would end slow start
        }

        Round(limit, _ => Success(20)); // the round of attempts started under 32: latency flat
        Assert.Equal(64, limit.CurrentLimit);
    }

    [Fact]
    public void A_round_clearly_slower_ends_slow_start_at_once()
    {
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions(), new FakeTimeProvider());
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(20));
        Round(limit, _ => Success(40)); // twice as slow at 32 in flight: queueing
        Assert.True(limit.CurrentLimit <= 32, $"limit {limit.CurrentLimit}");
        Round(limit, _ => Success(20));
        Assert.True(limit.CurrentLimit < 64, $"limit {limit.CurrentLimit}: slow start should have ended");
    }

    [Fact]
    public void A_timeout_after_one_round_a_little_slower_is_a_fault_not_congestion()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        Round(limit, _ => Success(20));
        time.Advance(TimeSpan.FromSeconds(1));
        Round(limit, _ => Success(25)); // one noisy round
        time.Advance(TimeSpan.FromSeconds(1));
        Round(limit, i => i == 0 ? Timeout() : Success(20));
        Assert.Equal(64, limit.CurrentLimit);
    }

    [Fact]
    public void Timeouts_among_few_attempts_in_flight_at_the_end_of_a_batch_do_not_lower_the_limit()
    {
        var time = new FakeTimeProvider();
        var limit = new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { InitialLimit = 64, MaxLimit = 64 }, time);
        Round(limit, _ => Success(20));
        for (int i = 0; i < 192; i++) // the tail: one attempt at a time, a third of them hung (three rounds of 64)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(limit.AcquireAsync(CancellationToken.None).IsCompletedSuccessfully);
            limit.Release(i % 3 == 0 ? Timeout() : Success(20));
        }

        Assert.Equal(64, limit.CurrentLimit);
    }

    [Theory]
    [InlineData("retry-after", "1e300")]
    [InlineData("retry-after-ms", "1e300")]
    [InlineData("retry-after", "99999999999")]
    public void An_absurd_Retry_After_is_cut_to_a_day_and_never_overflows(string header, string value)
    {
        var delay = FailureClassifier.RetryAfter(name => name == header ? value : null, DateTimeOffset.UtcNow);
        Assert.Equal(TimeSpan.FromDays(1), delay);
    }

    [Fact]
    public void A_fault_is_retried_sooner_than_an_overload()
    {
        var options = new SluiceRetryOptions();
        var now = DateTimeOffset.UtcNow;
        var fault = new HttpRequestException("boom", null, HttpStatusCode.InternalServerError);
        for (int i = 0; i < 100; i++)
        {
            var first = SluiceRetryResiliencePipelineBuilderExtensions.ChooseDelay(fault, 0, options, now, default);
            Assert.InRange(first!.Value.TotalMilliseconds, 25, 75); // FaultBaseDelay 50 ms ± 50 %
        }

        Assert.InRange(SluiceRetryResiliencePipelineBuilderExtensions.ChooseDelay(new AttemptTimeoutException(TimeSpan.FromSeconds(2)), 1, options, now, default)!.Value.TotalMilliseconds, 50, 150);
        var overload = new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests);
        Assert.Null(SluiceRetryResiliencePipelineBuilderExtensions.ChooseDelay(overload, 0, options, now, default)); // Polly's backoff from BaseDelay (500 ms)
        Assert.Equal(FailureKind.Transient, FailureClassifier.Classify(new AttemptTimeoutException(TimeSpan.FromSeconds(2))));
    }
}
