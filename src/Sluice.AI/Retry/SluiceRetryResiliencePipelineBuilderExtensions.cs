using Polly;
using Polly.Retry;

namespace Sluice.AI;

/// <summary>
/// Adds Sluice's retry rules to any Polly pipeline: a user's own <see cref="ResiliencePipelineBuilder"/> gets the same
/// transient-failure rules (<see cref="FailureClassifier"/>) and <c>Retry-After</c> handling as Sluice's clients.
/// </summary>
public static class SluiceRetryResiliencePipelineBuilderExtensions
{
    /// <summary>Adds a retry strategy with Sluice's rules: exponential backoff with jitter (from
    /// <see cref="SluiceRetryOptions.BaseDelay"/> after an overload, from the shorter
    /// <see cref="SluiceRetryOptions.FaultBaseDelay"/> after a fault), at most
    /// <see cref="SluiceRetryOptions.MaxAttempts"/> attempts, a provider's <c>retry-after-ms</c> / <c>Retry-After</c> in
    /// place of the backoff (clamped to <see cref="SluiceRetryOptions.MaxDelay"/>), and only
    /// <see cref="FailureKind.Transient"/> and <see cref="FailureKind.Overloaded"/> failures retried. Each retry is
    /// counted on the <c>Sluice</c> meter (<c>sluice.ai.retries</c>). Delays run on the builder's
    /// <see cref="ResiliencePipelineBuilderBase.TimeProvider"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The rules; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <example><code>
    /// var pipeline = new ResiliencePipelineBuilder().AddSluiceRetry(new SluiceRetryOptions { MaxAttempts = 4 }).Build();
    /// </code></example>
    public static ResiliencePipelineBuilder AddSluiceRetry(this ResiliencePipelineBuilder builder, SluiceRetryOptions? options = null) =>
        AddRetryStrategy(builder, options ?? new SluiceRetryOptions(), ledger: null);

    internal static ResiliencePipelineBuilder AddRetryStrategy(ResiliencePipelineBuilder builder, SluiceRetryOptions options, UsageLedger? ledger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options.Clone(); // later changes to the caller's options do not reach a built pipeline
        if (options.MaxAttempts == 1)
        {
            return builder;
        }

        TimeProvider time = builder.TimeProvider ?? TimeProvider.System;
        TimeSpan cap = options.MaxDelay;
        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            MaxDelay = cap,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } error
                && FailureClassifier.Classify(error, args.Context.CancellationToken) is FailureKind.Transient or FailureKind.Overloaded),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } error
                ? ChooseDelay(error, args.AttemptNumber, options, time.GetUtcNow(), args.Context.CancellationToken)
                : null),
            OnRetry = _ =>
            {
                AiMetrics.Retry(ledger);
                return default;
            },
        });
    }

    /// <summary>The delay before retrying after <paramref name="error"/>: the provider's Retry-After (clamped to
    /// <see cref="SluiceRetryOptions.MaxDelay"/>); after a fault, <see cref="SluiceRetryOptions.FaultBaseDelay"/>
    /// doubling per attempt with ±50 % jitter; after an overload, <see langword="null"/>: Polly's exponential backoff
    /// with jitter from <see cref="SluiceRetryOptions.BaseDelay"/>.</summary>
    internal static TimeSpan? ChooseDelay(Exception error, int attempt, SluiceRetryOptions options, DateTimeOffset now, CancellationToken callerToken)
    {
        TimeSpan cap = options.MaxDelay;
        if (FailureClassifier.RetryAfter(error, now) is { } after)
        {
            return after > cap ? cap : after;
        }

        if (FailureClassifier.Classify(error, callerToken) != FailureKind.Transient)
        {
            return null;
        }

        double ms = options.FaultBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)) * (0.5 + Random.Shared.NextDouble());
        return ms >= cap.TotalMilliseconds ? cap : TimeSpan.FromMilliseconds(ms);
    }

    internal static ResiliencePipeline CreatePipeline(SluiceRetryOptions options, TimeProvider time, UsageLedger? ledger) =>
        AddRetryStrategy(new ResiliencePipelineBuilder { TimeProvider = time }, options, ledger).Build();
}
