using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using Sluice.BatchFiles;
using Sluice.Cluster.Runs;
using Sluice.Simulator;
using Xunit.Abstractions;

namespace Sluice.Cluster.Tests.Runs;

[Collection(ClusterCollection.Name)]
public sealed partial class ShardedRunClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Items = 5_000;
    private const int Concurrency = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sharded-").FullName;
    private SimulatorHost _simulator = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, Seed = 14 });
        _cluster = await ThreeSiloCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_5000_item_run_on_three_silos_gives_each_custom_id_once_in_input_order()
    {
        var options = await WriteRunAsync();
        await ShardedRun.SubmitAsync(_cluster.Client, options);

        var statuses = new List<ShardedRunStatus>();
        var status = await FinishAsync(options, statuses.Add);

        var ids = AssertEachItemOnce(options, status);
        // Item counts, not only shards: the final counts hold every item, and no status counted past the total.
        Assert.Equal(new ShardedRunCounts { Total = Items, Done = Items, Succeeded = Items, Cost = null }, status.Items with { InputTokens = 0, OutputTokens = 0, RequestLatency = null }); // no price: the cost is unknown
        Assert.True(status.Items.OutputTokens > 0);
        Assert.Equal(Items, status.Items.RequestLatency!.Sum()); // every request's latency, from all three silos' shards
        Assert.InRange(status.Items.RequestLatencyAtMost(0.5)!.Value, TimeSpan.FromMilliseconds(4), TimeSpan.FromSeconds(5)); // the simulator answers in 5 ms
        Assert.All(statuses, s => Assert.InRange(s.Items.Done, s.Committed * options.ShardLines!.Value, Items));
        Assert.All(statuses, s => Assert.Equal(Items, s.Items.Total));
        Assert.Equal(InputIds(), ids); // input order
        Assert.Equal(3, (await CommittersAsync(options)).Distinct().Count()); // every silo ran shards
        var stats = await _simulator.GetStatsWhenIdleAsync();
        Assert.Equal(Items, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);
    }

    [Fact]
    public async Task With_the_automatic_shard_sizes_the_shrinking_shards_give_each_custom_id_once_and_one_long_wait_ends_with_the_files()
    {
        var options = await WriteRunAsync() with { ShardLines = null };
        var submitted = await ShardedRun.SubmitAsync(_cluster.Client, options);
        Assert.False(submitted.Finished);

        // One call, waiting far longer than the run takes: it is answered when the files are in place, not at its end.
        var waiting = Stopwatch.StartNew();
        var status = (await ShardedRun.Coordinator(_cluster.Client, options.OutputPath).WaitForStatusAsync(TimeSpan.FromSeconds(25)))!;
        Assert.True(status.Finished, $"the wait ended after {waiting.Elapsed.TotalSeconds:0.0} s without the run's end");
        Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(25), "the wait ran to its end: the run's end did not answer it");
        Assert.Equal(InputIds(), AssertEachItemOnce(options, status));

        // 5,000 lines: shards of 157 (5,000 / 32) that shrink at the end to 32 lines and less, in input order.
        var files = new ShardFiles(options.OutputPath);
        var table = (await ShardTableFile.ReadAsync(files.Run.OutputPath, files.TablePath, DateTimeOffset.MinValue))!;
        var sizes = table.Ranges.Select(range => range.Lines).ToList();
        Assert.Equal(157, sizes[0]);
        Assert.True(sizes[^1] <= ShardedRunOptions.MinimumTailShardLines, $"the last shard holds {sizes[^1]} lines");
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.Equal(3, (await CommittersAsync(options)).Distinct().Count());
        var stats = await _simulator.GetStatsWhenIdleAsync();
        Assert.Equal(Items, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);

        // The run finished: a wait answers at once, and a negative one is refused.
        Assert.True((await ShardedRun.Coordinator(_cluster.Client, options.OutputPath).WaitForStatusAsync(TimeSpan.FromSeconds(25)))!.Finished);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ShardedRun.Coordinator(_cluster.Client, options.OutputPath).WaitForStatusAsync(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Killing_a_silo_that_holds_a_lease_with_work_done_loses_nothing_and_repeats_only_its_in_flight_requests()
    {
        var options = await WriteRunAsync();
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var files = new ShardFiles(options.OutputPath);

        var secondaries = _cluster.SecondarySilos.ToDictionary(s => s.SiloAddress);
        var (victim, journalled) = await LeaseWithWorkDoneAsync(options, secondaries.Keys);

        var killedAt = Stopwatch.StartNew();
        await _cluster.KillSiloAsync(secondaries[victim.Holder]);
        var membership = _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<IClusterMembershipService>();
        while (membership.CurrentSnapshot.GetSiloStatus(victim.Holder) != SiloStatus.Dead)
        {
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(30), "the killed silo was not declared dead within 30 s");
            await Task.Delay(20);
        }

        var declaredDead = killedAt.Elapsed;
        Assert.True(declaredDead < TimeSpan.FromSeconds(5), $"the killed silo was declared dead after {declaredDead.TotalSeconds:0.0} s; the failure detection is tuned for under 5 s");
        var final = await FinishAsync(options);
        output.WriteLine($"killed {victim.Holder} holding shard {victim.Shard} under epoch {victim.Epoch} with {journalled}+ items journalled; declared dead after {declaredDead.TotalSeconds:0.00} s");

        AssertEachItemOnce(options, final);
        var table = (await ShardTableFile.ReadAsync(files.Run.OutputPath, files.TablePath, DateTimeOffset.MinValue))!;
        long committed = table[victim.Shard].Committed!.Value;
        Assert.True(committed > victim.Epoch, $"shard {victim.Shard} was committed under epoch {committed}, not after the killed holder's {victim.Epoch}");
        // The dead silo's journal was carried into the epoch that finished its shard.
        Assert.True(JournalLines(files, victim.Shard, committed) >= journalled);
        Assert.NotEqual(victim.Holder, (await CommittersAsync(options))[victim.Shard]);

        var stats = await _simulator.GetStatsWhenIdleAsync();
        output.WriteLine($"simulator: {stats.DistinctSucceeded} distinct successes, {stats.SucceededMoreThanOnce} succeeded more than once");
        Assert.Equal(Items, stats.DistinctSucceeded);
        Assert.InRange(stats.SucceededMoreThanOnce, 0, Concurrency); // at most the dead silo's requests in flight (its lane's limit)
    }

    [Fact]
    public async Task Killing_the_silo_of_the_coordinator_and_of_a_lease_continues_the_run_with_higher_epochs_from_the_shard_table()
    {
        var options = await WriteRunAsync();
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var files = new ShardFiles(options.OutputPath);
        var coordinator = ShardedRun.Coordinator(_cluster.Client, options.OutputPath);
        // The coordinator is where its first call placed it; if that is the primary (which holds the test cluster's
        // membership table and must live), move it to a secondary: a reactivation that reads the table from the file.
        var doomed = _cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(CoordinatorSilo(coordinator)));
        if (doomed is null)
        {
            doomed = _cluster.SecondarySilos[0];
            await _cluster.MigrateAsync(coordinator, doomed.SiloAddress);
            Assert.NotNull(await coordinator.GetStatusAsync());
        }

        Assert.Equal(doomed.SiloAddress, CoordinatorSilo(coordinator));

        var (victim, journalled) = await LeaseWithWorkDoneAsync(options, [doomed.SiloAddress]);
        long epochBefore = (await coordinator.GetStatusAsync())!.Epoch;
        await _cluster.KillSiloAsync(doomed);
        var final = await FinishAsync(options);

        AssertEachItemOnce(options, final);
        Assert.NotEqual(doomed.SiloAddress, CoordinatorSilo(coordinator));
        Assert.True(final.Epoch > epochBefore, $"no epoch above {epochBefore} was granted after the coordinator moved");
        var table = (await ShardTableFile.ReadAsync(files.Run.OutputPath, files.TablePath, DateTimeOffset.MinValue))!;
        Assert.True(table[victim.Shard].Committed > victim.Epoch);
        Assert.True(JournalLines(files, victim.Shard, table[victim.Shard].Committed!.Value) >= journalled);
        // Each epoch was granted once in the whole run, before and after the coordinator's reactivation.
        var epochs = Enumerable.Range(0, table.Count).SelectMany(files.EpochsOf).ToList();
        Assert.Equal(epochs.Count, epochs.Distinct().Count());
        Assert.True(epochs.Max() <= table.LastEpoch);

        var stats = await _simulator.GetStatsWhenIdleAsync();
        output.WriteLine($"shard {victim.Shard}: epoch {victim.Epoch} killed with {journalled}+ journalled, committed under {table[victim.Shard].Committed}; last epoch {table.LastEpoch}; simulator: {stats.DistinctSucceeded} distinct, {stats.SucceededMoreThanOnce} more than once");
        Assert.Equal(Items, stats.DistinctSucceeded);
        Assert.InRange(stats.SucceededMoreThanOnce, 0, Concurrency);
    }

    [Fact]
    public async Task Deleting_a_finished_runs_directory_starts_it_over_with_epochs_above_the_old_ones()
    {
        var options = await WriteRunAsync(items: 300) with { ShardLines = 100 };
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var first = await FinishAsync(options);
        Assert.Equal(300, first.OutputLines);

        Directory.Delete(new ShardFiles(options.OutputPath).Run.Path, recursive: true);
        File.Delete(options.OutputPath);
        var again = await ShardedRun.SubmitAsync(_cluster.Client, options); // the coordinator is still active
        Assert.Equal(0, again.Committed);
        Assert.False(again.Finished);
        var second = await FinishAsync(options);
        Assert.Equal(300, second.OutputLines);
        Assert.Equal(300, File.ReadAllLines(options.OutputPath).Length);
        Assert.True(second.Epoch > first.Epoch, $"epochs restarted: {second.Epoch} after {first.Epoch}");
    }

    [Fact]
    public async Task A_worker_takes_its_next_shard_while_the_tail_of_the_last_one_drains_within_one_concurrency_limit()
    {
        // Slow answers and small shards: each shard's tail (its last items in flight) lasts a whole latency.
        await using var slow = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 300, Seed = 15 });
        var options = await WriteRunAsync(items: 120) with { BaseUrl = slow.OpenAIEndpoint.ToString(), ShardLines = 20 };
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var statuses = new List<ShardedRunStatus>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var final = await ShardedRun.WaitAsync(_cluster.Client, options.OutputPath, TimeSpan.FromMilliseconds(20), new Collect(statuses.Add), cancellationToken: timeout.Token);
        Assert.Equal(120, final.OutputLines);
        Assert.Equal(120, File.ReadAllLines(options.OutputPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()).Distinct().Count());

        // The counts moved between commits: the running shards' reports, item by item.
        Assert.Contains(statuses, s => !s.Finished && s.Items.Done > s.Committed * options.ShardLines!.Value);
        Assert.All(statuses, s => Assert.InRange(s.Items.Done, s.Committed * options.ShardLines!.Value, 120));

        // Some silo held two leases at once (one shard draining, the next starting), never more than two.
        Assert.Contains(statuses, s => s.Leases.GroupBy(l => l.Holder).Any(g => g.Count() == 2));
        Assert.All(statuses, s => Assert.All(s.Leases.GroupBy(l => l.Holder), g => Assert.InRange(g.Count(), 1, 2)));
        // The two shards share their worker's lane: the simulator never saw more than 3 silos × its limit at once.
        var stats = slow.GetStats();
        Assert.InRange(stats.PeakInFlight, 1, 3 * Concurrency);
    }

    [Fact]
    public async Task Invalid_input_is_refused_before_anything_is_sent_and_a_run_continues_only_with_its_own_options()
    {
        var options = await WriteRunAsync();
        string invalid = Path.Combine(_directory, "invalid.jsonl");
        var lines = File.ReadLines(options.InputPath).Take(3).ToList();
        lines[2] = lines[0]; // a duplicate custom_id on line 3
        await File.WriteAllLinesAsync(invalid, lines);
        var refused = await Assert.ThrowsAsync<BatchRunRefusedException>(() => ShardedRun.SubmitAsync(_cluster.Client, options with { InputPath = invalid }));
        Assert.Contains(refused.Reasons, r => r.Contains("line 3", StringComparison.Ordinal) && r.Contains("item-00001", StringComparison.Ordinal));
        Assert.False(File.Exists(new ShardFiles(options.OutputPath).TablePath));

        var first = await ShardedRun.SubmitAsync(_cluster.Client, options);
        Assert.Equal(Items / 250, first.Shards);
        var again = await ShardedRun.SubmitAsync(_cluster.Client, options); // the same run: continued, not restarted
        Assert.Equal(first.Shards, again.Shards);
        await Assert.ThrowsAsync<ArgumentException>(() => ShardedRun.SubmitAsync(_cluster.Client, options with { MaxAttempts = 2 }));

        AssertEachItemOnce(options, await FinishAsync(options));
        Assert.Equal(Items, (await _simulator.GetStatsWhenIdleAsync()).DistinctSucceeded);
        Assert.Equal(0, (await _simulator.GetStatsWhenIdleAsync()).SucceededMoreThanOnce);
    }

    /// <summary>Waits until one of <paramref name="silos"/> holds a lease whose epoch has journalled at least 50 items.</summary>
    private async Task<(ShardLeaseHolder Lease, int Journalled)> LeaseWithWorkDoneAsync(ShardedRunOptions options, IEnumerable<SiloAddress> silos)
    {
        var candidates = silos.ToHashSet();
        var files = new ShardFiles(options.OutputPath);
        var coordinator = ShardedRun.Coordinator(_cluster.Client, options.OutputPath);
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(60), "no chosen silo held a lease with work done within 60 s");
            var status = (await coordinator.GetStatusAsync())!;
            Assert.False(status.Finished, "the run finished before a silo could be killed");
            foreach (var lease in status.Leases.Where(l => candidates.Contains(l.Holder)))
            {
                int journalled = JournalLines(files, lease.Shard, lease.Epoch);
                if (journalled >= 50)
                {
                    return (lease, journalled);
                }
            }

            await Task.Delay(20);
        }
    }

    private SiloAddress? CoordinatorSilo(IShardCoordinatorGrain coordinator) =>
        _cluster.TryGetGrainContext(coordinator.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    private async Task<ShardedRunOptions> WriteRunAsync(int items = Items)
    {
        string input = Path.Combine(_directory, "requests.jsonl");
        var text = new StringBuilder();
        foreach (string id in InputIds().Take(items))
        {
            text.Append("{\"custom_id\":\"").Append(id).Append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"question ")
                .Append(id).Append("\"}]}}\n");
        }

        await File.WriteAllTextAsync(input, text.ToString());
        return new ShardedRunOptions
        {
            InputPath = input,
            OutputPath = Path.Combine(_directory, "results.jsonl"),
            BaseUrl = _simulator.OpenAIEndpoint.ToString(),
            ShardLines = 250,
            MaxConcurrency = Concurrency,
            MaxAttempts = 3,
            AttemptTimeout = TimeSpan.FromSeconds(10),
            LeaseDuration = TimeSpan.FromSeconds(10),
        };
    }

    private static IEnumerable<string> InputIds() => Enumerable.Range(1, Items).Select(i => $"item-{i:D5}");

    private async Task<ShardedRunStatus> FinishAsync(ShardedRunOptions options, Action<ShardedRunStatus>? each = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var status = await ShardedRun.WaitAsync(_cluster.Client, options.OutputPath, TimeSpan.FromMilliseconds(100), each is null ? null : new Collect(each), cancellationToken: timeout.Token);
        Assert.True(status.Finished);
        return status;
    }

    /// <summary>Checks the final files: every input custom_id exactly once, all successes in OpenAI's shape, no errors.</summary>
    private static List<string> AssertEachItemOnce(ShardedRunOptions options, ShardedRunStatus status)
    {
        var lines = File.ReadAllLines(options.OutputPath);
        Assert.Equal(Items, status.OutputLines);
        Assert.Equal(0, status.ErrorLines);
        Assert.Equal(0, new FileInfo(status.ErrorsPath).Length);
        var ids = new List<string>(lines.Length);
        foreach (string line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.StartsWith("batch_req_", root.GetProperty("id").GetString());
            Assert.Equal(200, root.GetProperty("response").GetProperty("status_code").GetInt32());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
            ids.Add(root.GetProperty("custom_id").GetString()!);
        }

        Assert.Equal(Items, ids.Count);
        Assert.Equal(Items, ids.Distinct().Count());
        Assert.Equal(InputIds().Order(), ids.Order());
        return ids;
    }

    private sealed class Collect(Action<ShardedRunStatus> each) : IProgress<ShardedRunStatus>
    {
        public void Report(ShardedRunStatus value) => each(value);
    }

    private static int JournalLines(ShardFiles files, int shard, long epoch)
    {
        string journal = RunDirectory.ForOutput(files.EpochOutput(shard, epoch)).JournalPath;
        try
        {
            using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Count(c => c == '\n');
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The silo that committed each shard, from the shard table.</summary>
    private static async Task<List<SiloAddress>> CommittersAsync(ShardedRunOptions options)
    {
        var files = new ShardFiles(options.OutputPath);
        var table = (await ShardTableFile.ReadAsync(files.Run.OutputPath, files.TablePath, DateTimeOffset.MinValue))!;
        return [.. Enumerable.Range(0, table.Count).Select(i => table.CommittedBy(i)!)];
    }
}
