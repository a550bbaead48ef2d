using Polly;
using Polly.Retry;

namespace Sluice.AI;

/// <summary>
/// Builds the Polly v8 retry pipeline of a Sluice client: exponential backoff with jitter, at most
/// <see cref="SluiceClientOptions.MaxAttempts"/> attempts, delays capped at <see cref="SluiceClientOptions.MaxRetryDelay"/>;
/// a provider's <c>retry-after-ms</c> / <c>Retry-After</c> replaces the backoff (clamped to the same cap); only
/// <see cref="FailureKind.Transient"/> and <see cref="FailureKind.Overloaded"/> failures are retried.
/// </summary>
public static class RetryPipeline
{
    /// <summary>Creates the pipeline.</summary>
    /// <param name="options">Attempts, delays and the clock.</param>
    /// <param name="ledger">Receives a count of every retry; may be <see langword="null"/>.</param>
    /// <returns>A pipeline to run each call through.</returns>
    public static ResiliencePipeline Create(SluiceClientOptions options, UsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxAttempts == 1)
        {
            return builder.Build();
        }

        TimeProvider time = options.TimeProvider;
        TimeSpan cap = options.MaxRetryDelay;
        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseRetryDelay,
            MaxDelay = cap,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } error
                && FailureClassifier.Classify(error, args.Context.CancellationToken) is FailureKind.Transient or FailureKind.Overloaded),
            DelayGenerator = args =>
            {
                TimeSpan? after = args.Outcome.Exception is { } error ? FailureClassifier.RetryAfter(error, time.GetUtcNow()) : null;
                return ValueTask.FromResult<TimeSpan?>(after is { } delay ? (delay > cap ? cap : delay) : null);
            },
            OnRetry = _ =>
            {
                ledger?.RecordRetry();
                return default;
            },
        }).Build();
    }
}
