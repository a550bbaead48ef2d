using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Sluice.BatchFiles;
using Sluice.Cluster.Runs;

namespace Sluice.Cluster.Tests.Runs;

/// <summary>Request latencies summed over a run's workers: each shard's read back from its epoch's timeline and sent
/// with its commit, added up by the coordinator's table, kept in <c>shards.json</c>.</summary>
public sealed class ShardLatencyTests : IDisposable
{
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-latency-").FullName;

    [Fact]
    public async Task A_shards_latencies_are_read_back_from_its_timeline_as_the_run_recorded_them()
    {
        string path = Path.Combine(_directory, "timeline.jsonl");
        await using (var timeline = await RunTimeline.StartAsync(path, () => new BatchRunSnapshot(), _time))
        {
            foreach (int ms in new[] { 90, 95, 100, 240 })
            {
                timeline.RecordLatency(TimeSpan.FromMilliseconds(ms));
            }

            timeline.AttemptLatency.Record(TimeSpan.FromSeconds(3)); // attempts are not requests: not read
        }

        var counts = await ShardLatency.ReadAsync(path, CancellationToken.None);

        Assert.NotNull(counts);
        Assert.Equal(LatencyHistogram.BoundsMilliseconds.Count + 1, counts.Length);
        Assert.Equal(4, counts.Sum());
        var run = new ShardedRunCounts { RequestLatency = counts };
        Assert.Equal(TimeSpan.FromMilliseconds(100), run.RequestLatencyAtMost(0.5)); // 90, 95 and 100 are in the bucket up to 100 ms
        Assert.Equal(TimeSpan.FromMilliseconds(250), run.RequestLatencyAtMost(0.99));
        Assert.Null(new ShardedRunCounts().RequestLatencyAtMost(0.5));
        Assert.Null(await ShardLatency.ReadAsync(Path.Combine(_directory, "none.jsonl"), CancellationToken.None)); // no timeline: unknown, no failure
    }

    [Fact]
    public async Task The_runs_latencies_add_the_committed_shards_from_every_worker_and_survive_a_reload()
    {
        var table = new ShardTable("/shared/out.jsonl", new ShardedRunOptions { InputPath = "/shared/in.jsonl", OutputPath = "/shared/out.jsonl", BaseUrl = "http://127.0.0.1:1/v1" },
            [new ShardRange(0, 100, 1, 10), new ShardRange(100, 100, 11, 10), new ShardRange(200, 100, 21, 10)]);
        var a = table.Grant(SiloA, _time.GetUtcNow(), _ => false)!;
        var b = table.Grant(SiloB, _time.GetUtcNow(), _ => false)!;
        table.Grant(SiloB, _time.GetUtcNow(), _ => false);
        int buckets = LatencyHistogram.BoundsMilliseconds.Count + 1;
        long[] fromA = new long[buckets], fromB = new long[buckets];
        (fromA[10], fromA[11], fromB[11], fromB[12]) = (7, 3, 6, 4); // 100 ms, 160 ms and 250 ms buckets
        Assert.True(table.Report(a.Shard, a.Epoch, new ShardedRunCounts { Total = 10, Done = 5 })); // running shards send none
        Assert.Null(table.Counts().RequestLatency);

        table.Commit(a.Shard, a.Epoch, new ShardedRunCounts { Total = 10, Done = 10, Succeeded = 10, RequestLatency = fromA }, out _);
        table.Commit(b.Shard, b.Epoch, new ShardedRunCounts { Total = 10, Done = 10, Succeeded = 10, RequestLatency = fromB }, out _);
        var sum = table.Counts().RequestLatency!;
        Assert.Equal((7L, 9L, 4L, 20L), (sum[10], sum[11], sum[12], sum.Sum()));
        Assert.Equal(TimeSpan.FromMilliseconds(160), table.Counts().RequestLatencyAtMost(0.5));

        string path = Path.Combine(_directory, "shards.json");
        await ShardTableFile.WriteAsync(table, path);
        var reloaded = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(sum, reloaded.Counts().RequestLatency);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
