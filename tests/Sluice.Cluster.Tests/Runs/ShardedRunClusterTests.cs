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
public sealed class ShardedRunClusterTests(ITestOutputHelper output) : IAsyncLifetime
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

        var status = await FinishAsync(options);

        var ids = AssertEachItemOnce(options, status);
        Assert.Equal(InputIds(), ids); // input order
        Assert.Equal(3, (await CommittersAsync(options)).Distinct().Count()); // every silo ran shards
        var stats = await _simulator.GetStatsWhenIdleAsync();
        Assert.Equal(Items, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);
    }

    [Fact]
    public async Task Killing_a_silo_that_holds_a_lease_with_work_done_loses_nothing_and_repeats_only_its_in_flight_requests()
    {
        var options = await WriteRunAsync();
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var files = new ShardFiles(options.OutputPath);

        // Wait until a secondary silo holds a lease whose epoch has journalled some of its items.
        var secondaries = _cluster.SecondarySilos.ToDictionary(s => s.SiloAddress);
        var coordinator = ShardedRun.Coordinator(_cluster.Client, options.OutputPath);
        ShardLeaseHolder? victim = null;
        int journalled = 0;
        var waiting = Stopwatch.StartNew();
        while (victim is null)
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(60), "no secondary silo held a lease with work done within 60 s");
            var status = (await coordinator.GetStatusAsync())!;
            Assert.False(status.Finished, "the run finished before a silo could be killed");
            foreach (var lease in status.Leases.Where(l => secondaries.ContainsKey(l.Holder)))
            {
                journalled = JournalLines(files, lease.Shard, lease.Epoch);
                if (journalled >= 50)
                {
                    victim = lease;
                    break;
                }
            }

            await Task.Delay(20);
        }

        var killedAt = Stopwatch.StartNew();
        await _cluster.KillSiloAsync(secondaries[victim.Holder]);
        var membership = _cluster.GetSiloServiceProvider(_cluster.Primary!.SiloAddress).GetRequiredService<IClusterMembershipService>();
        while (membership.CurrentSnapshot.GetSiloStatus(victim.Holder) != SiloStatus.Dead)
        {
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(30), "the killed silo was not declared dead within 30 s");
            await Task.Delay(20);
        }

        var declaredDead = killedAt.Elapsed;
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
        Assert.InRange(stats.SucceededMoreThanOnce, 0, Concurrency); // at most the dead silo's requests in flight
    }

    private async Task<ShardedRunOptions> WriteRunAsync()
    {
        string input = Path.Combine(_directory, "requests.jsonl");
        var text = new StringBuilder();
        foreach (string id in InputIds())
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

    private async Task<ShardedRunStatus> FinishAsync(ShardedRunOptions options)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var status = await ShardedRun.WaitAsync(_cluster.Client, options.OutputPath, TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token);
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
