using Microsoft.Extensions.Logging;
using Sluice.AI;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// Runs one shard under one lease: the shard's lines copied out of the input (seek, then copy), its epoch seeded from
/// the earlier epochs' journals (<see cref="JournalSeed"/>), then a <see cref="BatchFileRunner"/> — the engine,
/// throughput middleware and journal of <c>sluice run</c> — over the shard in the epoch's directory, with
/// <see cref="BatchRunOptions.Resume"/> and input order. The lease is renewed at half its duration meanwhile; when a
/// renewal is refused, or none succeeds for a whole lease duration, the run is cancelled at once (what it journalled
/// stays for the next epoch). The shard's counts go to the coordinator every <see cref="ReportInterval"/>, and its
/// worker is told (<c>tail</c>) when no more items are left than <see cref="TailRounds"/> fills of the lane's
/// concurrency limit, so it can start the next shard while this one drains. A finished run is committed under the
/// lease's epoch, with its final counts.
/// </summary>
internal sealed partial class ShardRunner(ShardWorkerOptions workerOptions, ProviderLaneRegistry lanes, CapacityLeaser budgets, TimeProvider time, ILogger logger)
{
    /// <summary>How often a running shard reports its counts to the coordinator.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a running shard of a run with a cost limit (<see cref="ShardedRunOptions.MaxCost"/>) reports:
    /// the reply carries the other shards' spend, and the cap can be passed by what they admit between two reports.</summary>
    public static readonly TimeSpan CostReportInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How many fills of the lane's concurrency limit are left when a shard's tail begins.</summary>
    public const int TailRounds = 4;

    /// <summary>Runs the shard; returns how the coordinator answered the commit, or <see langword="null"/> when there
    /// was no commit (the lease was lost, or <paramref name="stop"/> interrupted the run and the lease was released).</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="coordinator">The run's coordinator.</param>
    /// <param name="stop">Stops admitting work; what is in flight finishes and is journalled.</param>
    /// <param name="kill">Stops at once, as a crash would.</param>
    /// <param name="tail">Completed when the shard's tail begins (no more items left than <see cref="TailRounds"/>
    /// fills of the lane's concurrency limit), or when the run ends, whichever comes first.</param>
    public async Task<ShardCommitOutcome?> RunAsync(ShardLease lease, IShardCoordinatorGrain coordinator, CancellationToken stop, CancellationToken kill, TaskCompletionSource? tail = null)
    {
        var files = new ShardFiles(lease.Run);
        var options = lease.Options;
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(kill);
        using var finished = new CancellationTokenSource();
        var renewals = RenewAsync(lease, coordinator, lost, finished.Token);
        BatchRunResult result;
        var spend = new ShardSpendView(lease.SpendElsewhere);
        try
        {
            result = await RunShardAsync(lease, coordinator, files, spend, tail, stop, lost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            LogLost(lease.Run, lease.Shard, lease.Epoch);
            return null;
        }
        finally
        {
            tail?.TrySetResult();
            await finished.CancelAsync().ConfigureAwait(false);
            await renewals.ConfigureAwait(false);
        }

        if (result.Outcome is BatchRunOutcome.Interrupted or BatchRunOutcome.InvalidInput)
        {
            if (result.Outcome == BatchRunOutcome.InvalidInput)
            {
                LogInvalid(lease.Run, lease.Shard, result.Directory.InputErrorsPath);
            }

            await coordinator.ReleaseAsync(lease.Shard, lease.Epoch).WaitAsync(options.LeaseDuration, time, kill).ConfigureAwait(false);
            return null;
        }

        if (lost.IsCancellationRequested)
        {
            return null;
        }

        // The run's timeline holds its latency histogram once the run has ended: it goes to the coordinator with the
        // commit, so the run's histogram is summed over all its workers.
        var latency = await ShardLatency.ReadAsync(result.Directory.TimelinePath, kill).ConfigureAwait(false);
        var outcome = await CommitAsync(lease, coordinator, spend.Counts(result.Counts) with { RequestLatency = latency }, kill).ConfigureAwait(false);
        LogCommitted(lease.Run, lease.Shard, lease.Epoch, outcome);
        return outcome;
    }

    /// <summary>Commits, asking again while the coordinator does not answer (its silo died and it has not moved yet),
    /// for up to a lease duration; a commit is idempotent, so asking twice is harmless.</summary>
    private async Task<ShardCommitOutcome> CommitAsync(ShardLease lease, IShardCoordinatorGrain coordinator, ShardedRunCounts counts, CancellationToken kill)
    {
        var duration = lease.Options.LeaseDuration;
        long started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return await coordinator.CommitAsync(lease.Shard, lease.Epoch, counts).WaitAsync(duration, time, kill).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && time.GetElapsedTime(started) < duration)
            {
                LogCommitRetry(ex, lease.Run, lease.Shard, lease.Epoch);
                await Task.Delay(duration / 20, time, kill).ConfigureAwait(false);
            }
        }
    }

    private async Task<BatchRunResult> RunShardAsync(
        ShardLease lease, IShardCoordinatorGrain coordinator, ShardFiles files, ShardSpendView spend, TaskCompletionSource? tail, CancellationToken stop, CancellationToken cancellationToken)
    {
        var options = lease.Options;
        string shardInput = files.ShardInput(lease.Shard);
        Directory.CreateDirectory(files.ShardDirectory(lease.Shard));
        if (!File.Exists(shardInput))
        {
            await ShardPlan.ExtractAsync(options.InputPath, lease.Range, shardInput, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(files.EpochDirectory(lease.Shard, lease.Epoch));
        int seeded = await JournalSeed.SeedAsync(files, lease, time, cancellationToken).ConfigureAwait(false);
        string output = files.EpochOutput(lease.Shard, lease.Epoch);
        if (options.Price is { } price)
        {
            // The shard's earlier epochs' spend is the shard's too: it counts in its reports and toward the run's limit.
            spend.Earlier = await ShardSpend.OfJournalAsync(RunDirectory.ForOutput(output).JournalPath, price, cancellationToken).ConfigureAwait(false);
        }

        LogStarting(lease.Run, lease.Shard, lease.Epoch, seeded);
        string apiKey = "none";
        if (options.ApiKeyVariable is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"The environment variable {variable} (the run's API key variable) is not set on this worker.");
        }

        string model = await new BatchInputReader(shardInput).ReadFirstModelAsync(cancellationToken).ConfigureAwait(false) ?? "default";
        var clientOptions = options.ClientOptions(lanes, budgets);
        var (http, handler) = OpenAICompatible.CreateHttpClient(new Uri(options.BaseUrl), apiKey, model, clientOptions);
        using var client = http;
        if (options.ApiKeyVariable is null)
        {
            client.DefaultRequestHeaders.Authorization = null;
        }

        var runner = new BatchFileRunner(client, new BatchRunOptions
        {
            InputPath = shardInput,
            OutputPath = output,
            Ordered = true,
            Resume = true,
            RetryErrors = options.RetryErrors,
            Cache = options.CacheDirectory is { } cache ? new ResponseCache(cache, new Uri(options.BaseUrl).AbsoluteUri) : null,
            Prices = options.Price?.ToTable(model),
            MaxCost = options.MaxCost,
            SpendElsewhere = options.MaxCost is null ? null : spend.Elsewhere,
            // Under a cost limit a shard admits no more ahead than its lane may send at once: what it admitted and has
            // not finished is what the other shards cannot see, and so what the run's spend can pass the limit by.
            MaxInFlight = options.MaxCost is null ? workerOptions.MaxInFlight : Math.Clamp(handler.Lane.Concurrency.MaximumLimit, 1, workerOptions.MaxInFlight),
            DrainTimeout = options.AttemptTimeout + TimeSpan.FromSeconds(2),
            Journal = new RunJournalOptions { FlushToDisk = options.FlushToDisk },
            Ledger = handler.Ledger,
            ConcurrencyLimit = handler.Lane.Concurrency,
            Settings = options.ManifestSettings(),
            TimeProvider = time,
        });
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchAsync(lease, coordinator, runner, spend, tail, ended.Token);
        try
        {
            return await runner.RunAsync(stop, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ended.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    /// <summary>Until <paramref name="ended"/>: reports the shard's counts every <see cref="ReportInterval"/> (a report
    /// that fails is dropped; the next one carries the counts), and completes <paramref name="tail"/> once the
    /// shard's tail has begun (see <see cref="TailRounds"/>).</summary>
    private async Task WatchAsync(ShardLease lease, IShardCoordinatorGrain coordinator, BatchFileRunner runner, ShardSpendView spend, TaskCompletionSource? tail, CancellationToken ended)
    {
        var interval = lease.Options.MaxCost is null ? ReportInterval : CostReportInterval;
        var poll = TimeSpan.FromMilliseconds(50);
        long reported = time.GetTimestamp();
        while (!ended.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, time, ended).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var snapshot = runner.Snapshot();
            // The tail: no more items left than TailRounds fills of the lane's slots. Slots fall idle after the last
            // round unless the next shard has started by then, and starting one (a lease, the shard's lines, its
            // journal and validation, a client) takes a round or two of a fast provider's latency.
            if (snapshot.Total is { } total && total - snapshot.Done - snapshot.NotSent <= TailRounds * Math.Max(1, snapshot.ConcurrencyLimit))
            {
                tail?.TrySetResult();
            }

            if (time.GetElapsedTime(reported) >= interval)
            {
                reported = time.GetTimestamp();
                try
                {
                    var reply = await coordinator.ReportAsync(lease.Shard, lease.Epoch, spend.Counts(snapshot)).WaitAsync(ReportInterval, time, ended).ConfigureAwait(false);
                    spend.Update(reply.SpendElsewhere);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReportFailed(ex, lease.Run, lease.Shard, lease.Epoch);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Renews at half the lease duration until <paramref name="finished"/>; cancels <paramref name="lost"/> when
    /// the coordinator refuses a renewal or none has succeeded for a whole lease duration.</summary>
    private async Task RenewAsync(ShardLease lease, IShardCoordinatorGrain coordinator, CancellationTokenSource lost, CancellationToken finished)
    {
        var duration = lease.Options.LeaseDuration;
        long renewed = time.GetTimestamp();
        while (!finished.IsCancellationRequested && !lost.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(duration / 2, time, finished).ConfigureAwait(false);
                if (await coordinator.RenewAsync(lease.Shard, lease.Epoch).WaitAsync(duration / 2, time, finished).ConfigureAwait(false))
                {
                    renewed = time.GetTimestamp();
                    continue;
                }

                LogRefused(lease.Run, lease.Shard, lease.Epoch);
                await lost.CancelAsync().ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (finished.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !finished.IsCancellationRequested)
            {
                // The coordinator is unreachable (its silo died and it has not moved yet): keep trying while the lease lasts.
                if (time.GetElapsedTime(renewed) >= duration)
                {
                    LogExpired(ex, lease.Run, lease.Shard, lease.Epoch);
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    /// <summary>A running shard's view of the run's spend: what its earlier epochs spent (counted in its reports) and
    /// what the other shards had spent at the coordinator's last reply (read before each admission under a cost limit).</summary>
    private sealed class ShardSpendView(decimal elsewhere)
    {
        private readonly Lock _lock = new();
        private decimal _elsewhere = elsewhere;

        public decimal Earlier { get; set; }

        public decimal Elsewhere()
        {
            lock (_lock)
            {
                return _elsewhere;
            }
        }

        public void Update(decimal elsewhere)
        {
            lock (_lock)
            {
                _elsewhere = elsewhere;
            }
        }

        /// <summary>The shard's counts, its cost over all its epochs.</summary>
        public ShardedRunCounts Counts(BatchRunSnapshot snapshot)
        {
            var counts = ShardedRunCounts.Of(snapshot);
            return counts with { Cost = counts.Cost + Earlier };
        }
    }

    [LoggerMessage(LogLevel.Information, "Shard {Shard} of {Run} under epoch {Epoch}: starting, {Seeded} items already done by earlier epochs")]
    private partial void LogStarting(string run, int shard, long epoch, int seeded);

    [LoggerMessage(LogLevel.Warning, "Shard {Shard} of {Run} under epoch {Epoch}: the commit got no answer; asking again")]
    private partial void LogCommitRetry(Exception exception, string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Information, "Shard {Shard} of {Run} under epoch {Epoch}: commit {Outcome}")]
    private partial void LogCommitted(string run, int shard, long epoch, ShardCommitOutcome outcome);

    [LoggerMessage(LogLevel.Warning, "Shard {Shard} of {Run} under epoch {Epoch}: the lease was lost; the run was stopped and its journal is left for the next epoch")]
    private partial void LogLost(string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Warning, "Shard {Shard} of {Run} under epoch {Epoch}: the coordinator refused the renewal")]
    private partial void LogRefused(string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Warning, "Shard {Shard} of {Run} under epoch {Epoch}: no renewal succeeded for a whole lease duration")]
    private partial void LogExpired(Exception exception, string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Debug, "Shard {Shard} of {Run} under epoch {Epoch}: a progress report got no answer")]
    private partial void LogReportFailed(Exception exception, string run, int shard, long epoch);

    [LoggerMessage(LogLevel.Error, "Shard {Shard} of {Run}: its lines are invalid (see {Errors}); the lease is released")]
    private partial void LogInvalid(string run, int shard, string errors);
}
