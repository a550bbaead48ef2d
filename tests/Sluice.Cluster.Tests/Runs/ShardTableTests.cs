using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Sluice.Cluster.Runs;

namespace Sluice.Cluster.Tests.Runs;

/// <summary>The fencing rules, with a fake clock: no test here depends on timing.</summary>
public sealed class ShardTableTests : IDisposable
{
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-table-").FullName;

    private static ShardedRunOptions Options => new()
    {
        InputPath = "/shared/in.jsonl",
        OutputPath = "/shared/out.jsonl",
        BaseUrl = "http://127.0.0.1:1/v1",
        LeaseDuration = TimeSpan.FromSeconds(10),
    };

    private static ShardTable NewTable(int shards = 2) =>
        new("/shared/out.jsonl", Options, [.. Enumerable.Range(0, shards).Select(i => new ShardRange(i * 100, 100, i * 10 + 1, 10))]);

    private static bool NoneDead(SiloAddress silo) => false;

    [Fact]
    public void A_late_commit_from_a_holder_whose_lease_lapsed_is_rejected_and_the_new_holder_commits()
    {
        var table = NewTable(shards: 1);
        var first = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.Null(table.Grant(SiloB, _time.GetUtcNow(), NoneDead)); // held and not expired: nothing for B

        _time.Advance(TimeSpan.FromSeconds(11)); // A stopped renewing
        var second = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(first.Shard, second.Shard);
        Assert.True(second.Epoch > first.Epoch);

        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, out bool changed));
        Assert.False(changed);
        Assert.False(table.Renew(first.Shard, first.Epoch, _time.GetUtcNow()));
        Assert.False(table.Release(first.Shard, first.Epoch));
        Assert.Equal(second.Epoch, table[first.Shard].Epoch);

        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(second.Shard, second.Epoch, out changed));
        Assert.True(changed);
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(second.Shard, second.Epoch, out changed)); // idempotent
        Assert.False(changed);
        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, out _)); // still rejected after the commit
        Assert.True(table.AllCommitted);
        Assert.Null(table.Grant(SiloA, _time.GetUtcNow(), NoneDead));
    }

    [Fact]
    public void A_lease_of_a_dead_silo_lapses_at_once_and_a_renewal_keeps_a_live_one()
    {
        var table = NewTable(shards: 1);
        var first = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(table.Renew(first.Shard, first.Epoch, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(6)); // 12 s after the grant, 6 s after the renewal
        Assert.Null(table.Grant(SiloB, _time.GetUtcNow(), NoneDead));

        var second = table.Grant(SiloB, _time.GetUtcNow(), silo => silo.Equals(SiloA))!; // A declared dead: no waiting
        Assert.True(second.Epoch > first.Epoch);
        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, out _));
    }

    [Fact]
    public void A_lapsed_lease_nobody_took_is_still_current_and_may_renew_and_commit()
    {
        var table = NewTable(shards: 1);
        var lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(table.Renew(lease.Shard, lease.Epoch, _time.GetUtcNow()));
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(lease.Shard, lease.Epoch, out _));
    }

    [Fact]
    public async Task Epochs_keep_rising_and_fencing_holds_across_a_reload_of_the_table_file()
    {
        string path = Path.Combine(_directory, "shards.json");
        var table = NewTable();
        var a0 = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        var b1 = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(b1.Shard, b1.Epoch, out _));
        _time.Advance(TimeSpan.FromSeconds(11));
        var b0 = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!; // shard 0 again, A's lease lapsed
        await ShardTableFile.WriteAsync(table, path);

        // A coordinator reactivated elsewhere reads the file.
        _time.Advance(TimeSpan.FromSeconds(1));
        var reloaded = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(Options, reloaded.Options);
        Assert.Equal(table.Ranges, reloaded.Ranges);
        Assert.Equal(b0.Epoch, reloaded.LastEpoch);
        Assert.Equal(ShardCommitOutcome.Rejected, reloaded.Commit(a0.Shard, a0.Epoch, out _));
        Assert.Equal(ShardCommitOutcome.Committed, reloaded.Commit(b1.Shard, b1.Epoch, out _));
        Assert.Null(reloaded.Grant(SiloA, _time.GetUtcNow(), NoneDead)); // B's restored lease gets a full duration

        _time.Advance(TimeSpan.FromSeconds(11));
        var next = reloaded.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(b0.Epoch + 1, next.Epoch); // never an epoch granted before the reload
        Assert.Equal(ShardCommitOutcome.Rejected, reloaded.Commit(b0.Shard, b0.Epoch, out _));
        Assert.Equal(ShardCommitOutcome.Committed, reloaded.Commit(next.Shard, next.Epoch, out _));
        Assert.True(reloaded.AllCommitted);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
