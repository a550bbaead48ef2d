using System.Diagnostics;

namespace Sluice.Simulator.Limits;

/// <summary>
/// The requests-per-minute and tokens-per-minute budgets, checked together under one lock, plus the
/// "force the next N requests to 429" switch that tests use.
/// </summary>
internal sealed class RateLimits
{
    private readonly Lock _gate = new();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private RateBucket? _requests;
    private RateBucket? _tokens;
    private int _forcedRemaining;
    private double _forcedRetryAfterSeconds;

    public RateLimits(SimulatorOptions options) => Configure(options);

    /// <summary>Rebuilds the buckets (full) from <paramref name="options"/>.</summary>
    public void Configure(SimulatorOptions options)
    {
        double now = Now();
        lock (_gate)
        {
            _requests = options.RequestsPerMinute > 0 ? new RateBucket(options.RequestsPerMinute, options.BurstSeconds, now) : null;
            _tokens = options.TokensPerMinute > 0 ? new RateBucket(options.TokensPerMinute, options.BurstSeconds, now) : null;
        }
    }

    /// <summary>Answers the next <paramref name="count"/> requests with 429 and the given Retry-After.</summary>
    public void Force(int count, TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _forcedRemaining = count;
            _forcedRetryAfterSeconds = retryAfter.TotalSeconds;
        }
    }

    /// <summary>Takes one request and <paramref name="tokens"/> tokens if both budgets allow it.</summary>
    public RateDecision TryAdmit(int tokens, bool countTokens)
    {
        double now = Now();
        lock (_gate)
        {
            _requests?.Refill(now);
            _tokens?.Refill(now);
            var tokenBucket = countTokens ? _tokens : null;
            if (_forcedRemaining > 0)
            {
                _forcedRemaining--;
                return new RateDecision(false, _forcedRetryAfterSeconds, "requests", State(_requests), State(_tokens));
            }
            bool requestsOk = _requests is null || _requests.Has(1);
            bool tokensOk = tokenBucket is null || tokenBucket.Has(tokens);
            if (requestsOk && tokensOk)
            {
                _requests?.Take(1);
                tokenBucket?.Take(tokens);
                return new RateDecision(true, 0, null, State(_requests), State(_tokens));
            }
            double wait = Math.Max(requestsOk ? 0 : _requests!.SecondsUntil(1), tokensOk ? 0 : tokenBucket!.SecondsUntil(tokens));
            return new RateDecision(false, wait, requestsOk ? "tokens" : "requests", State(_requests), State(_tokens));
        }
    }

    /// <summary>Current header state without taking anything.</summary>
    public RateDecision Peek()
    {
        double now = Now();
        lock (_gate)
        {
            _requests?.Refill(now);
            _tokens?.Refill(now);
            return new RateDecision(true, 0, null, State(_requests), State(_tokens));
        }
    }

    private static BucketState? State(RateBucket? bucket) =>
        bucket is null ? null : new BucketState(bucket.Limit, (long)Math.Floor(Math.Max(0, bucket.Available) + 1e-9), bucket.SecondsUntilFull);

    private double Now() => Stopwatch.GetElapsedTime(_origin).TotalSeconds;
}
