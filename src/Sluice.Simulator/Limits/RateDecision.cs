namespace Sluice.Simulator.Limits;

/// <summary>The outcome of one admission check and the state reported in the <c>x-ratelimit-*</c> headers.</summary>
internal readonly record struct RateDecision(
    bool Admitted,
    double RetryAfterSeconds,
    string? LimitedBy,
    BucketState? Requests,
    BucketState? Tokens);

/// <summary>One bucket's header values after the check.</summary>
internal readonly record struct BucketState(int Limit, long Remaining, double ResetSeconds);
