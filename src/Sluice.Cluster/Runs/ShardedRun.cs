using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Submits a <c>sluice run</c> to a cluster and follows it: the input is validated whole (as <c>sluice run</c> does,
/// before anything is sent), the run's coordinator splits it into shards, the silos' shard workers run them, and the
/// coordinator writes the output and errors files in input order when every shard is committed.
/// </summary>
public static class ShardedRun
{
    /// <summary>Validates the input and starts the run (or continues the run recorded for the same output).</summary>
    /// <param name="grains">A client or silo's grain factory.</param>
    /// <param name="options">The run.</param>
    /// <param name="cancellationToken">Stops the validation.</param>
    /// <returns>The run's status.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="BatchRunRefusedException">The input has invalid lines and <see cref="ShardedRunOptions.SkipInvalid"/>
    /// is off; nothing was started. The reasons list them with their line numbers (the first 100).</exception>
    public static Task<ShardedRunStatus> SubmitAsync(IGrainFactory grains, ShardedRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return SubmitWhileConnectingAsync(Task.FromResult(grains), options, cancellationToken);
    }

    /// <summary>Validates the input while a client is still connecting, and starts the run (or continues the run
    /// recorded for the same output) once it is connected: the validation and the connection overlap, where a
    /// submitter that connects first pays for both one after the other.</summary>
    /// <param name="grains">The client's grain factory once it is connected; awaited only when the input is valid.</param>
    /// <param name="options">The run.</param>
    /// <param name="cancellationToken">Stops the validation.</param>
    /// <returns>The run's status.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="BatchRunRefusedException">The input has invalid lines and <see cref="ShardedRunOptions.SkipInvalid"/>
    /// is off; nothing was started, and <paramref name="grains"/> was not awaited. The reasons list them with their line
    /// numbers (the first 100).</exception>
    /// <remarks>A fault of <paramref name="grains"/> (the cluster cannot be reached) is thrown as it is.</remarks>
    public static async Task<ShardedRunStatus> SubmitWhileConnectingAsync(Task<IGrainFactory> grains, ShardedRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var report = await new BatchInputReader(options.InputPath).ValidateAsync(cancellationToken).ConfigureAwait(false);
        if (!report.IsValid && !options.SkipInvalid)
        {
            throw new BatchRunRefusedException(
                $"{options.InputPath} has {report.ErrorCount} errors in {report.InvalidCount} lines; a sharded run sends nothing until every line is valid.",
                [.. report.Describe()]);
        }

        var factory = await grains.ConfigureAwait(false);
        return await Coordinator(factory, options.OutputPath).StartAsync(options).ConfigureAwait(false);
    }

    /// <summary>Follows the run until its output files are in place: each call to the coordinator waits up to
    /// <paramref name="pollInterval"/> for the files (<see cref="IShardCoordinatorGrain.WaitForStatusAsync"/>) and is
    /// answered as soon as they are written, so the end is seen without a poll's delay; the statuses in between report
    /// progress. A coordinator that does not answer (its silo died and it has not been reactivated yet) is asked again
    /// after <paramref name="pollInterval"/>.</summary>
    /// <param name="grains">A client or silo's grain factory.</param>
    /// <param name="outputPath">The run's output file.</param>
    /// <param name="pollInterval">The longest wait of one call: how often, at least, <paramref name="progress"/> gets a
    /// status while the run goes on.</param>
    /// <param name="progress">Receives each status; may be <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="cancellationToken">Stops following (the run goes on).</param>
    /// <returns>The final status.</returns>
    /// <exception cref="InvalidOperationException">No run is recorded for <paramref name="outputPath"/>.</exception>
    public static async Task<ShardedRunStatus> WaitAsync(
        IGrainFactory grains,
        string outputPath,
        TimeSpan pollInterval,
        IProgress<ShardedRunStatus>? progress = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        var time = timeProvider ?? TimeProvider.System;
        var coordinator = Coordinator(grains, outputPath);
        while (true)
        {
            ShardedRunStatus? status = null;
            try
            {
                status = await coordinator.WaitForStatusAsync(pollInterval).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (status is null)
                {
                    throw new InvalidOperationException($"No sharded run is recorded for {Path.GetFullPath(outputPath)}: submit it first.");
                }
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
            }

            if (status is null)
            {
                await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            progress?.Report(status);
            if (status.Finished)
            {
                return status;
            }
        }
    }

    /// <summary>The coordinator of the run whose output file is <paramref name="outputPath"/>.</summary>
    /// <param name="grains">A grain factory.</param>
    /// <param name="outputPath">The run's output file.</param>
    /// <returns>The coordinator.</returns>
    public static IShardCoordinatorGrain Coordinator(IGrainFactory grains, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IShardCoordinatorGrain>(RunDirectory.ForOutput(outputPath).OutputPath);
    }
}
