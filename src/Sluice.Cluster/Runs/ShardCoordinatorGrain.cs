using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Sluice.Cluster.Runs;

/// <summary>
/// The coordinator of one sharded run (<see cref="IShardCoordinatorGrain"/>). Its decisions are
/// <see cref="ShardTable"/>'s; its only state that matters is <c>shards.json</c>, written before every answer that a
/// grant or a commit changed. Expiry is checked when a worker asks for work: a lease lapses when its holder's silo is
/// declared dead (<see cref="IClusterMembershipService"/>) or its renewals stop.
/// </summary>
internal sealed partial class ShardCoordinatorGrain(IClusterMembershipService membership, TimeProvider time, ILogger<ShardCoordinatorGrain> logger)
    : Grain, IShardCoordinatorGrain
{
    private ShardFiles _files = null!;
    private ShardTable? _table;
    private Task? _assembly;

    private string Run => this.GetPrimaryKeyString();

    private IRunRegistryGrain Registry => GrainFactory.GetGrain<IRunRegistryGrain>(0);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _files = new ShardFiles(Run);
        _table = await ShardTableFile.ReadAsync(Run, _files.TablePath, time.GetUtcNow(), cancellationToken);
        if (_table is { Assembled: null })
        {
            LogResumed(Run, _table.CommittedCount, _table.Count, _table.LastEpoch);
            if (_table.AllCommitted)
            {
                StartAssembly();
            }
            else
            {
                await Registry.AddAsync(Run); // workers find the run again even if the registry moved with this grain
            }
        }
    }

    public async Task<ShardedRunStatus> StartAsync(ShardedRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Validate() with
        {
            InputPath = Path.GetFullPath(options.InputPath),
            OutputPath = Path.GetFullPath(options.OutputPath),
            ErrorsPath = options.ErrorsPath is null ? null : Path.GetFullPath(options.ErrorsPath),
        };
        long lastEpoch = 0;
        if (options.OutputPath != Run)
        {
            throw new ArgumentException($"The run {Run} was asked to start the run of {options.OutputPath}: a coordinator is keyed by its run's full output path.", nameof(options));
        }

        if (_table is not null && !File.Exists(_files.TablePath))
        {
            // The run directory was deleted to start over while this coordinator was active: a new table, with epochs
            // above every one granted before, so a late commit of the old run's holders is still rejected.
            LogStartingOver(Run, _files.TablePath);
            lastEpoch = _table.LastEpoch;
            _table = null;
            _assembly = null;
        }

        if (_table is not null)
        {
            if (_table.Options != options)
            {
                throw new ArgumentException($"{_files.TablePath} records this output's run with other options; use the same options to continue it, or delete {_files.Run.Path} to start over.", nameof(options));
            }
        }
        else
        {
            _files.Run.Create();
            var shards = await ShardPlan.SplitAsync(options.InputPath, options.ShardLines);
            if (shards.Count == 0)
            {
                throw new ArgumentException($"{options.InputPath} holds no request: expected one JSON request object per line.", nameof(options));
            }

            var table = new ShardTable(Run, options, shards, lastEpoch);
            await ShardTableFile.WriteAsync(table, _files.TablePath);
            _table = table;
            LogStarted(Run, shards.Count, options.ShardLines);
        }

        return await StatusAsync();
    }

    public async Task<ShardLease?> AcquireAsync(SiloAddress holder)
    {
        if (_table is null || _table.AllCommitted)
        {
            return null;
        }

        var snapshot = membership.CurrentSnapshot;
        var lease = _table.Grant(holder, time.GetUtcNow(), silo => snapshot.GetSiloStatus(silo) == SiloStatus.Dead);
        if (lease is not null)
        {
            // Written before the lease leaves this grain: a coordinator reactivated after this point starts above it.
            await ShardTableFile.WriteAsync(_table, _files.TablePath);
            LogGranted(Run, lease.Shard, lease.Epoch, holder);
        }

        return lease;
    }

    public Task<bool> RenewAsync(int shard, long epoch) =>
        Task.FromResult(_table is not null && _table.Renew(shard, epoch, time.GetUtcNow()));

    public Task<bool> ReportAsync(int shard, long epoch, ShardedRunCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Task.FromResult(_table is not null && _table.Report(shard, epoch, counts));
    }

    public async Task ReleaseAsync(int shard, long epoch)
    {
        if (_table is not null && _table.Release(shard, epoch))
        {
            await ShardTableFile.WriteAsync(_table, _files.TablePath);
        }
    }

    public async Task<ShardCommitOutcome> CommitAsync(int shard, long epoch, ShardedRunCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (_table is null)
        {
            return ShardCommitOutcome.Rejected;
        }

        var outcome = _table.Commit(shard, epoch, counts, out bool changed);
        if (changed)
        {
            // The commit point: once this rename is done the shard's output is the one under this epoch, for good.
            await ShardTableFile.WriteAsync(_table, _files.TablePath);
            LogCommitted(Run, shard, epoch);
            if (_table.AllCommitted)
            {
                StartAssembly();
            }
        }
        else if (outcome == ShardCommitOutcome.Rejected)
        {
            LogRejected(Run, shard, epoch, _table[shard].Epoch);
        }

        return outcome;
    }

    public async Task<ShardedRunStatus?> GetStatusAsync()
    {
        if (_table is null)
        {
            return null;
        }

        if (_table.AllCommitted && _table.Assembled is null)
        {
            StartAssembly(); // again, when an earlier attempt failed
        }

        return await StatusAsync();
    }

    private async Task<ShardedRunStatus> StatusAsync()
    {
        var table = _table!;
        if (table.Assembled is null)
        {
            await Registry.AddAsync(Run); // the registry is soft state: every status refreshes it
        }

        return new ShardedRunStatus
        {
            Run = Run,
            Shards = table.Count,
            Committed = table.CommittedCount,
            Leases = table.Leases(),
            Items = table.Counts(),
            Epoch = table.LastEpoch,
            Finished = table.Assembled is not null,
            OutputLines = table.Assembled?.Output,
            ErrorLines = table.Assembled?.Errors,
            ErrorsPath = table.Options.ErrorsPath ?? _files.Run.DefaultErrorsPath,
        };
    }

    /// <summary>Assembles the final files off the grain's turn (calls keep being answered meanwhile), once.</summary>
    private void StartAssembly()
    {
        if (_assembly is { IsCompleted: false })
        {
            return;
        }

        _assembly = AssembleAsync();
    }

    private async Task AssembleAsync()
    {
        var table = _table!;
        try
        {
            var lines = await Task.Run(() => ShardedOutput.WriteAsync(table, _files));
            table.Assembled = lines;
            await ShardTableFile.WriteAsync(table, _files.TablePath);
            await Registry.RemoveAsync(Run);
            LogFinished(Run, lines.Output, lines.Errors);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OrleansException or TimeoutException)
        {
            LogAssemblyFailed(ex, Run);
        }
    }

    [LoggerMessage(LogLevel.Information, "Sharded run {Run}: {Shards} shards of up to {Lines} lines")]
    private partial void LogStarted(string run, int shards, int lines);

    [LoggerMessage(LogLevel.Warning, "Sharded run {Run}: {Table} is gone (the run directory was deleted); the run starts over")]
    private partial void LogStartingOver(string run, string table);

    [LoggerMessage(LogLevel.Information, "Sharded run {Run} continues: {Committed} of {Shards} shards committed, epochs continue above {Epoch}")]
    private partial void LogResumed(string run, int committed, int shards, long epoch);

    [LoggerMessage(LogLevel.Debug, "Sharded run {Run}: shard {Shard} leased under epoch {Epoch} to {Holder}")]
    private partial void LogGranted(string run, int shard, long epoch, SiloAddress holder);

    [LoggerMessage(LogLevel.Debug, "Sharded run {Run}: shard {Shard} committed under epoch {Epoch}")]
    private partial void LogCommitted(string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Warning, "Sharded run {Run}: a commit of shard {Shard} under epoch {Epoch} was rejected (its epoch is {Current})")]
    private partial void LogRejected(string run, int shard, long epoch, long current);

    [LoggerMessage(LogLevel.Information, "Sharded run {Run} finished: {Output} output lines, {Errors} error lines")]
    private partial void LogFinished(string run, long output, long errors);

    [LoggerMessage(LogLevel.Error, "Sharded run {Run}: the final files could not be assembled; the next status call tries again")]
    private partial void LogAssemblyFailed(Exception exception, string run);
}
