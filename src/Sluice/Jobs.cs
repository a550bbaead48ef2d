namespace Sluice;

/// <summary>
/// LlamaIndex's job helpers (<c>run_jobs</c>, <c>batch_gather</c>, <c>asyncio_run</c>) for .NET, without their
/// failure modes: zero workers is an error rather than a hang, the first failure surfaces as itself rather than
/// masked, and nothing blocks on a synchronisation context.
/// </summary>
public static class Jobs
{
    /// <summary>
    /// Runs jobs with at most <paramref name="workers"/> running at any instant (no waves: a new job starts as soon as
    /// one ends) and returns their results in input order. LlamaIndex <c>run_jobs</c>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="jobs">The jobs; enumerated lazily. Each receives a token cancelled when another job fails or the caller cancels.</param>
    /// <param name="workers">The largest number of jobs running at once; must be positive.</param>
    /// <param name="progress">Receives progress snapshots, at most one per 100 ms; the last one has the final counts.</param>
    /// <param name="timeProvider">The clock for progress pacing, <see cref="BatchProgress.Elapsed"/> and throughput;
    /// <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The results, in the order of <paramref name="jobs"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is zero or negative (LlamaIndex hangs forever).</exception>
    /// <remarks>On the first failure the token handed to the other jobs is cancelled, the run waits for them, and the
    /// original exception is rethrown itself, neither wrapped nor replaced.</remarks>
    public static async Task<IReadOnlyList<T>> RunAsync<T>(
        IEnumerable<Func<CancellationToken, Task<T>>> jobs,
        int workers = 4,
        IProgress<BatchProgress>? progress = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        var options = new BatchOptions
        {
            MaxConcurrency = workers,
            Ordered = true,
            FailFast = true,
            Progress = progress,
            TimeProvider = timeProvider ?? TimeProvider.System,
        };
        var results = jobs.TryGetNonEnumeratedCount(out int count) ? new List<T>(count) : new List<T>();
        await foreach (var result in Batch.ProcessAsync(jobs, Invoke, options, cancellationToken).ConfigureAwait(false))
        {
            results.Add(result.Value!);
        }

        return results;
    }

    /// <summary>
    /// Runs jobs in waves of <paramref name="waveSize"/>: a wave starts when the previous one has ended entirely.
    /// LlamaIndex <c>batch_gather</c>; kept for parity — <see cref="RunAsync{T}"/> (no waves) is faster whenever job
    /// durations vary.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="jobs">The jobs; a wave is taken from it at a time.</param>
    /// <param name="waveSize">Jobs per wave; must be positive (LlamaIndex silently returns an empty list).</param>
    /// <param name="progress">Receives a snapshot after each job; the last one has the final counts.</param>
    /// <param name="timeProvider">The clock for <see cref="BatchProgress.Elapsed"/> and throughput;
    /// <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>All results, in the order of <paramref name="jobs"/>; a last, shorter wave is included.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="waveSize"/> is zero or negative.</exception>
    /// <remarks>On the first failure the other jobs of the wave are cancelled and awaited, no further wave starts, and
    /// the original exception is rethrown itself.</remarks>
    public static Task<IReadOnlyList<T>> GatherAsync<T>(
        IEnumerable<Func<CancellationToken, Task<T>>> jobs,
        int waveSize = 10,
        IProgress<BatchProgress>? progress = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default) =>
        Execution.GatherWaves<T>.RunAsync(jobs, waveSize, progress, timeProvider ?? TimeProvider.System, cancellationToken);

    /// <summary>
    /// Runs asynchronous work to completion from synchronous code (LlamaIndex <c>asyncio_run</c>). The work runs on the
    /// thread pool, so a <see cref="SynchronizationContext"/> on the calling thread cannot deadlock it, and its own
    /// exception is rethrown unwrapped.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Handed to the work.</param>
    /// <returns>The work's result.</returns>
    public static T Run<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.Run(() => work(cancellationToken), cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Runs asynchronous work without a result to completion from synchronous code; see <see cref="Run{T}"/>.</summary>
    /// <param name="work">The work.</param>
    /// <param name="cancellationToken">Handed to the work.</param>
    public static void Run(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        Task.Run(() => work(cancellationToken), cancellationToken).GetAwaiter().GetResult();
    }

    internal static ValueTask<T> Invoke<T>(Func<CancellationToken, Task<T>> job, CancellationToken cancellationToken)
    {
        if (job is null)
        {
            throw new ArgumentException("A job in the sequence is null.", "jobs");
        }

        Task<T> task = job(cancellationToken)
            ?? throw new InvalidOperationException("A job returned a null Task instead of a task to await.");
        return new ValueTask<T>(task);
    }
}
