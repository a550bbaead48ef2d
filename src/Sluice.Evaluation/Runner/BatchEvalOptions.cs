using Polly;

namespace Sluice.Evaluation;

/// <summary>
/// How <see cref="BatchEvalRunner"/> runs, beyond its constructor's <c>workers</c> and <c>showProgress</c>.
/// Validated when the runner is created; an invalid value throws an exception naming the option.
/// </summary>
public sealed record BatchEvalOptions
{
    /// <summary>Gets the options used when none are given.</summary>
    public static BatchEvalOptions Default { get; } = new();

    /// <summary>Gets whether the first failed query or evaluation ends the run.</summary>
    /// <value>Default <see langword="false"/>: a query or evaluation that still fails after retries becomes an invalid
    /// <see cref="EvalOutcome"/> naming the exception, and every other outcome is kept. <see langword="true"/> restores
    /// LlamaIndex's behaviour: the first failure cancels the rest and is rethrown itself (not wrapped).</value>
    public bool ThrowOnError { get; init; }

    /// <summary>Gets how many times each evaluation runs; the outcome reports the mean score and the spread.</summary>
    /// <value>Default 1. Must be at least 1. Repetitions are real calls: the judge cache keys them by repetition index.</value>
    public int Repeat { get; init; } = 1;

    /// <summary>Gets a Polly pipeline around each query and each evaluation (retry, timeout…), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>: one attempt each — the chat client is expected to retry its own calls
    /// (as Sluice.AI's clients do). The concurrency slot is given back during retry delays.</value>
    public ResiliencePipeline? Resilience { get; init; }

    /// <summary>Gets the receiver of progress snapshots over queries and evaluations together, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>. Independent of <c>showProgress</c>; both may be used.</value>
    public IProgress<BatchProgress>? Progress { get; init; }

    /// <summary>Gets the least time between two plain-text progress lines when <c>showProgress</c> is on.</summary>
    /// <value>Default 2 seconds. Must be positive.</value>
    public TimeSpan ProgressLineInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets where <c>showProgress</c> writes its lines and the completion summary.</summary>
    /// <value>Default <see langword="null"/>: standard error.</value>
    public TextWriter? ProgressWriter { get; init; }

    /// <summary>Gets the judge cache's store whose hits and misses the completion summary reports, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>. The cache itself sits in the judges' chat client
    /// (<see cref="JudgeCacheChatClientBuilderExtensions.UseJudgeCache"/>); this only reports on it.</value>
    public SqliteDistributedCache? JudgeCache { get; init; }

    /// <summary>Gets a callback given each outcome as soon as it is final (all its repetitions done, or its query
    /// failed), before the run ends; for example to journal it durably, so a killed run can resume without repeating it.</summary>
    /// <value>Default <see langword="null"/>. Called once per case and evaluator, from the loop that collects results (never
    /// concurrently with itself); its tasks may overlap, and the run awaits them all before it returns. If one fails, the
    /// run stops with that exception (already-finished work is not lost to the callback's earlier calls). Once the run's
    /// token is cancelled, invalid outcomes are no longer given (they may have failed only because of the cancellation).</value>
    public Func<EvalOutcome, CancellationToken, ValueTask>? OutcomeCompleted { get; init; }

    /// <summary>Gets the clock for elapsed times and progress.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (Repeat < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Repeat), Repeat, $"BatchEvalOptions.{nameof(Repeat)} must be at least 1; it was {Repeat}.");
        }

        if (ProgressLineInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressLineInterval), ProgressLineInterval,
                $"BatchEvalOptions.{nameof(ProgressLineInterval)} must be positive; it was {ProgressLineInterval}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), $"BatchEvalOptions.{nameof(TimeProvider)} must not be null.");
        }
    }
}
