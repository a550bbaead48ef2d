using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Sluice.BatchFiles;

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

    /// <summary>Completed, and replaced, when the final files are in place: what <see cref="WaitForStatusAsync"/> waits on.</summary>
    private TaskCompletionSource _assembled = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            if (!_table.Options.IsSameRunAs(options))
            {
                throw new ArgumentException($"{_files.TablePath} records this output's run with other options; use the same options to continue it, or delete {_files.Run.Path} to start over.", nameof(options));
            }

            await ContinueAsync(options);
        }
        else
        {
            _files.Run.Create();
            (HashSet<long> Lines, long Written) invalid = ([], 0);
            if (options.SkipInvalid)
            {
                // Once, over the whole file: a duplicate or a second model in another shard is invalid too.
                invalid = await ShardedInvalidLines.WriteAsync(options.InputPath, _files.InvalidLinesErrors);
            }

            var shards = await ShardPlan.SplitAsync(options.InputPath, options.ShardLines, invalid.Lines);
            if (shards.Count == 0 && invalid.Lines.Count == 0)
            {
                throw new ArgumentException($"{options.InputPath} holds no request: expected one JSON request object per line.", nameof(options));
            }

            var table = new ShardTable(Run, options, shards, lastEpoch) { InvalidLines = invalid.Written };
            await ShardTableFile.WriteAsync(table, _files.TablePath);
            if (table.AllCommitted)
            {
                StartAssembly(); // every line was invalid: the errors file is all there is
            }

            _table = table;
            LogStarted(Run, shards.Count, shards.Count == 0 ? 0 : shards[0].Lines);
        }

        return await StatusAsync();
    }

    /// <summary>A later submission of the recorded run: takes the settings it may change, and runs again the committed
    /// shards it asks for (errors to retry, or items a different cost limit left unsent).</summary>
    private async Task ContinueAsync(ShardedRunOptions options)
    {
        var table = _table!;
        var previous = table.Options;
        if (previous == options)
        {
            return;
        }

        table.Options = options;
        int reopened = 0;
        for (int shard = 0; shard < table.Count; shard++)
        {
            if (table[shard].Committed is not { } epoch)
            {
                continue;
            }

            bool errors = options.RetryErrors && new FileInfo(RunDirectory.ForOutput(_files.EpochOutput(shard, epoch)).DefaultErrorsPath) is { Exists: true, Length: > 0 };
            bool unsent = options.MaxCost != previous.MaxCost && table.CommittedCounts(shard) is { NotSent: > 0 };
            if (errors || unsent)
            {
                table.Reopen(shard);
                reopened++;
            }
        }

        await ShardTableFile.WriteAsync(table, _files.TablePath);
        if (reopened > 0)
        {
            LogReopened(Run, reopened, options.RetryErrors);
            await Registry.AddAsync(Run);
        }
    }

    public async Task<ShardLease?> AcquireAsync(SiloAddress holder)
    {
        if (_table is null || _table.AllCommitted)
        {
            return null;
        }

        var snapshot = membership.CurrentSnapshot;
        var lease = _table.Grant(holder, time.GetUtcNow(), silo => snapshot.GetSiloStatus(silo) == SiloStatus.Dead);
        var abandoning = _table.Abandoning();
        if (lease is not null || abandoning.Count > 0)
        {
            // Written before the lease leaves this grain: a coordinator reactivated after this point starts above it.
            await ShardTableFile.WriteAsync(_table, _files.TablePath);
        }

        if (abandoning.Count > 0)
        {
            await AbandonAsync(abandoning);
        }

        if (lease is not null)
        {
            LogGranted(Run, lease.Shard, lease.Epoch, holder);
        }

        return lease;
    }

    /// <summary>Closes the shards whose leases lapsed too often (<see cref="ShardAbandonment"/>) and commits them; one
    /// that cannot be written now is tried again at the next request for work.</summary>
    private async Task AbandonAsync(List<(int Shard, long Epoch, int Lapses)> shards)
    {
        var table = _table!;
        foreach (var (shard, epoch, lapses) in shards)
        {
            try
            {
                var counts = await Task.Run(() => ShardAbandonment.WriteAsync(_files, table, shard, epoch, lapses));
                table.CommitAbandoned(shard, epoch, counts);
                await ShardTableFile.WriteAsync(table, _files.TablePath);
                LogAbandoned(Run, shard, lapses, counts.Done - counts.Succeeded);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogAbandonFailed(ex, Run, shard);
            }
        }

        if (table.AllCommitted)
        {
            StartAssembly();
        }
    }

    public Task<bool> RenewAsync(int shard, long epoch) =>
        Task.FromResult(_table is not null && _table.Renew(shard, epoch, time.GetUtcNow()));

    public Task<ShardReportReply> ReportAsync(int shard, long epoch, ShardedRunCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return Task.FromResult(_table is null
            ? new ShardReportReply(false, 0)
            : new ShardReportReply(_table.Report(shard, epoch, counts), _table.SpendElsewhere(shard)));
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

    public async Task<ShardedRunStatus?> WaitForStatusAsync(TimeSpan longest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(longest, TimeSpan.Zero);
        if (_table is { Assembled: null } && longest > TimeSpan.Zero)
        {
            // Interleaved with the other calls (the interface marks it so): the commit that completes the run, and its
            // assembly, run meanwhile and end the wait.
            await Task.WhenAny(_assembled.Task, Task.Delay(longest, time));
        }

        return await GetStatusAsync();
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
            if (!table.AllCommitted)
            {
                return; // a submission reopened shards meanwhile: the files are assembled again when they are committed
            }

            table.Assembled = lines;
            await ShardTableFile.WriteAsync(table, _files.TablePath);
            var assembled = _assembled;
            _assembled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            assembled.TrySetResult(); // the files are in place and recorded: the followers waiting learn it now
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

    [LoggerMessage(LogLevel.Information, "Sharded run {Run}: a new submission runs {Shards} committed shards again (retry errors: {RetryErrors})")]
    private partial void LogReopened(string run, int shards, bool retryErrors);

    [LoggerMessage(LogLevel.Warning, "Sharded run {Run}: shard {Shard} was abandoned after its lease lapsed {Lapses} times in a row; {Failed} of its items are in the errors file")]
    private partial void LogAbandoned(string run, int shard, int lapses, long failed);

    [LoggerMessage(LogLevel.Error, "Sharded run {Run}: the files of abandoned shard {Shard} could not be written; the next request for work tries again")]
    private partial void LogAbandonFailed(Exception exception, string run, int shard);

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
