using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Sluice.AI;

namespace Sluice.Cluster.Runs;

/// <summary>
/// A silo's shard worker: a hosted service, not a grain, because it runs one long loop (take a lease, run the shard
/// for minutes, commit) that belongs to its silo and must end with it — a grain would be placed, moved and deactivated
/// by Orleans, and a grain call may not last a shard's run. It asks the registry for runs with work left, takes a lease
/// from a run's coordinator, runs the shard (<see cref="ShardRunner"/>) and commits. With no run listed it waits on the
/// registry, which answers as soon as one is (<see cref="IRunRegistryGrain.WaitForRunsAsync"/>); with runs listed but
/// no shard free it asks again after <see cref="ShardWorkerOptions.IdleDelay"/>. It takes its next lease as soon as the running shard's tail begins (no
/// more items left than a few fills of the lane's concurrency limit), so one shard's drain overlaps the next one's
/// start (at most <see cref="ShardWorkerOptions.MaxShards"/> at once); the shards share the worker's lanes, so its
/// concurrency limit and budget hold for all of them together. A graceful stop drains what is in flight and releases the lease; a stop
/// whose token is already cancelled (a kill) abandons it at once, as a crash would.
/// </summary>
/// <remarks>Its lanes draw their budgets from the cluster's budget grains (<see cref="OrleansCapacityLeaser"/>), so a
/// run's <c>--rpm</c>/<c>--tpm</c> hold for all silos together, not for each.</remarks>
internal sealed partial class ShardWorker(IGrainFactory grains, ILocalSiloDetails silo, IOptions<ShardWorkerOptions> options, TimeProvider time, ILogger<ShardWorker> logger)
    : IHostedService, IDisposable
{
    /// <summary>How long an idle worker's registry call waits for a run to be listed when none is: a run submitted to
    /// an idle cluster reaches its workers as soon as the coordinator lists it, for one call every 2 s per idle worker,
    /// and a silo stopping holds a waiting call of another silo's worker no longer than this.</summary>
    internal static readonly TimeSpan RunWait = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly ProviderLaneRegistry _lanes = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        using var kill = cancellationToken.Register(() => _kill.Cancel());
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        if (!_loop.IsCompleted)
        {
            return; // a kill does not wait for the loop; it still reads the tokens while it unwinds
        }

        _stop.Dispose();
        _kill.Dispose();
    }

    private async Task LoopAsync()
    {
        var runner = new ShardRunner(options.Value, _lanes, new OrleansCapacityLeaser(grains), time, logger);
        var running = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                running.RemoveAll(shard => shard.IsCompleted);
                if (running.Count >= options.Value.MaxShards)
                {
                    await Task.WhenAny(running).ConfigureAwait(false);
                    continue;
                }

                var (lease, coordinator, idle) = await TryAcquireAsync().ConfigureAwait(false);
                if (lease is null && idle)
                {
                    continue; // the registry listed no run for RunWait: that wait was the idle delay
                }

                if (lease is null)
                {
                    try
                    {
                        await Task.Delay(options.Value.IdleDelay, time, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    continue;
                }

                // The next lease is taken once this shard's tail begins: the tail drains while the next shard starts,
                // on the same lane, so the worker's slots stay busy across shard boundaries.
                var tail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var shard = RunShardAsync(runner, lease, coordinator!, tail);
                running.Add(shard);
                await Task.WhenAny(tail.Task, shard).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one shard; never throws (a failure is logged and the lease lapses, so another attempt resumes
    /// from the journal).</summary>
    private async Task RunShardAsync(ShardRunner runner, ShardLease lease, IShardCoordinatorGrain coordinator, TaskCompletionSource tail)
    {
        try
        {
            await runner.RunAsync(lease, coordinator, _stop.Token, _kill.Token, tail).ConfigureAwait(false);
        }
        catch (Exception) when (_kill.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The shard failed for a reason of the run's own (the input unreadable, a full disk): its lease lapses
            // and another attempt resumes from the journal, until the coordinator abandons the shard
            // (ShardedRunOptions.MaxLeaseLapses lapses in a row).
            LogShardFailed(ex, lease.Run, lease.Shard, lease.Epoch);
            try
            {
                await Task.Delay(options.Value.IdleDelay, time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        finally
        {
            tail.TrySetResult();
        }
    }

    /// <summary>A lease on a shard of some listed run; <c>Idle</c> when the registry listed no run at all while it
    /// waited (<see cref="RunWait"/>), so the worker asks again at once instead of after
    /// <see cref="ShardWorkerOptions.IdleDelay"/>.</summary>
    private async Task<(ShardLease? Lease, IShardCoordinatorGrain? Coordinator, bool Idle)> TryAcquireAsync()
    {
        try
        {
            string[] runs = await grains.GetGrain<IRunRegistryGrain>(0).WaitForRunsAsync(RunWait).WaitAsync(_stop.Token).ConfigureAwait(false);
            foreach (string run in runs)
            {
                var coordinator = grains.GetGrain<IShardCoordinatorGrain>(run);
                if (await coordinator.AcquireAsync(silo.SiloAddress).WaitAsync(_stop.Token).ConfigureAwait(false) is { } lease)
                {
                    return (lease, coordinator, false);
                }
            }

            return (null, null, runs.Length == 0 && !_stop.IsCancellationRequested);
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            LogNoLease(ex);
        }
        catch (OperationCanceledException)
        {
        }

        return (null, null, false);
    }

    [LoggerMessage(LogLevel.Debug, "No lease this time: the registry or a coordinator did not answer")]
    private partial void LogNoLease(Exception exception);

    [LoggerMessage(LogLevel.Error, "Shard {Shard} of {Run} under epoch {Epoch} failed; its lease will lapse")]
    private partial void LogShardFailed(Exception exception, string run, int shard, long epoch);
}
