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

        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, ShardedRunCounts.None, out bool changed));
        Assert.False(changed);
        Assert.False(table.Renew(first.Shard, first.Epoch, _time.GetUtcNow()));
        Assert.False(table.Release(first.Shard, first.Epoch));
        Assert.Equal(second.Epoch, table[first.Shard].Epoch);

        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(second.Shard, second.Epoch, ShardedRunCounts.None, out changed));
        Assert.True(changed);
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(second.Shard, second.Epoch, ShardedRunCounts.None, out changed)); // idempotent
        Assert.False(changed);
        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, ShardedRunCounts.None, out _)); // still rejected after the commit
        Assert.True(table.AllCommitted);
        Assert.Null(table.Grant(SiloA, _time.GetUtcNow(), NoneDead));
    }

    [Fact]
    public void A_shard_whose_lease_lapses_three_times_in_a_row_is_abandoned_and_a_lease_given_back_is_no_lapse()
    {
        var table = NewTable(shards: 1);
        var lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.True(table.Release(lease.Shard, lease.Epoch)); // a graceful stop: no lapse
        lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        lease = table.Grant(SiloB, _time.GetUtcNow(), silo => silo.Equals(SiloA))!; // 1: its silo died
        _time.Advance(TimeSpan.FromSeconds(11));
        lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!; // 2: it stopped renewing
        Assert.Empty(table.Abandoning());
        long last = lease.Epoch;

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(table.Grant(SiloB, _time.GetUtcNow(), NoneDead)); // 3: abandoned, not leased again
        var (shard, epoch, lapses) = Assert.Single(table.Abandoning());
        Assert.Equal((0, 3), (shard, lapses));
        Assert.True(epoch > last);
        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(0, last, ShardedRunCounts.None, out _)); // fenced like any lapsed lease
        Assert.Null(table.Grant(SiloB, _time.GetUtcNow(), NoneDead));

        table.CommitAbandoned(0, epoch, new ShardedRunCounts { Done = 10, Failed = 10 });
        Assert.True(table.AllCommitted);
        Assert.Empty(table.Abandoning());
        table.Reopen(0); // a submission that retries errors: leased again, its lapses counted from 0
        Assert.NotNull(table.Grant(SiloA, _time.GetUtcNow(), NoneDead));
    }

    [Fact]
    public async Task A_shards_lapses_survive_a_reload_of_the_table_so_a_moved_coordinator_still_abandons_it()
    {
        string path = Path.Combine(_directory, "shards.json");
        var table = NewTable(shards: 1);
        table.Grant(SiloA, _time.GetUtcNow(), NoneDead);
        table.Grant(SiloB, _time.GetUtcNow(), silo => silo.Equals(SiloA)); // 1
        var second = table.Grant(SiloA, _time.GetUtcNow(), silo => silo.Equals(SiloB))!; // 2
        await ShardTableFile.WriteAsync(table, path);

        // The coordinator's silo dies; it is reactivated elsewhere from the file.
        var moved = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(2, moved.Lapses(0));
        Assert.Null(moved.Grant(SiloB, _time.GetUtcNow(), silo => silo.Equals(SiloA))); // 3: abandoned, as before the move
        var (shard, epoch, lapses) = Assert.Single(moved.Abandoning());
        Assert.Equal((0, 3), (shard, lapses));
        Assert.True(epoch > second.Epoch);

        // It moves again before it has closed the shard: the next coordinator closes it, under the same epoch.
        await ShardTableFile.WriteAsync(moved, path);
        var again = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal((0, epoch, 3), Assert.Single(again.Abandoning()));
        Assert.Null(again.Grant(SiloB, _time.GetUtcNow(), NoneDead));
        Assert.Equal(ShardCommitOutcome.Rejected, again.Commit(0, second.Epoch, ShardedRunCounts.None, out _));
        again.CommitAbandoned(0, epoch, new ShardedRunCounts { Done = 10, Failed = 10 });
        Assert.True(again.AllCommitted);

        // A commit resets the count, in the file too.
        await ShardTableFile.WriteAsync(again, path);
        var committed = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(0, committed.Lapses(0));
        Assert.Empty(committed.Abandoning());
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
        Assert.Equal(ShardCommitOutcome.Rejected, table.Commit(first.Shard, first.Epoch, ShardedRunCounts.None, out _));
    }

    [Fact]
    public void A_lapsed_lease_nobody_took_is_still_current_and_may_renew_and_commit()
    {
        var table = NewTable(shards: 1);
        var lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(table.Renew(lease.Shard, lease.Epoch, _time.GetUtcNow()));
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(lease.Shard, lease.Epoch, ShardedRunCounts.None, out _));
    }

    [Fact]
    public async Task Epochs_keep_rising_and_fencing_holds_across_a_reload_of_the_table_file()
    {
        string path = Path.Combine(_directory, "shards.json");
        var table = NewTable();
        var a0 = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        var b1 = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(b1.Shard, b1.Epoch, ShardedRunCounts.None, out _));
        _time.Advance(TimeSpan.FromSeconds(11));
        var b0 = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!; // shard 0 again, A's lease lapsed
        await ShardTableFile.WriteAsync(table, path);

        // A coordinator reactivated elsewhere reads the file.
        _time.Advance(TimeSpan.FromSeconds(1));
        var reloaded = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(Options, reloaded.Options);
        Assert.Equal(table.Ranges, reloaded.Ranges);
        Assert.Equal(b0.Epoch, reloaded.LastEpoch);
        Assert.Equal(ShardCommitOutcome.Rejected, reloaded.Commit(a0.Shard, a0.Epoch, ShardedRunCounts.None, out _));
        Assert.Equal(ShardCommitOutcome.Committed, reloaded.Commit(b1.Shard, b1.Epoch, ShardedRunCounts.None, out _));
        Assert.Null(reloaded.Grant(SiloA, _time.GetUtcNow(), NoneDead)); // B's restored lease gets a full duration

        _time.Advance(TimeSpan.FromSeconds(11));
        var next = reloaded.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(b0.Epoch + 1, next.Epoch); // never an epoch granted before the reload
        Assert.Equal(ShardCommitOutcome.Rejected, reloaded.Commit(b0.Shard, b0.Epoch, ShardedRunCounts.None, out _));
        Assert.Equal(ShardCommitOutcome.Committed, reloaded.Commit(next.Shard, next.Epoch, ShardedRunCounts.None, out _));
        Assert.True(reloaded.AllCommitted);
    }

    [Fact]
    public async Task The_runs_counts_add_committed_shards_and_the_current_holders_reports_and_survive_a_reload()
    {
        string path = Path.Combine(_directory, "shards.json");
        var table = NewTable(shards: 3); // 10 lines per shard
        var a0 = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        var a1 = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!; // a worker running two shards: one lane, one limit
        var b2 = table.Grant(SiloB, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(new ShardedRunCounts { Total = 30 }, table.Counts()); // nothing reported yet

        Assert.True(table.Report(a0.Shard, a0.Epoch, new ShardedRunCounts { Total = 10, Done = 10, Succeeded = 9, Failed = 1, InFlight = 0, Retries = 2, ConcurrencyLimit = 8 }));
        Assert.True(table.Report(a1.Shard, a1.Epoch, new ShardedRunCounts { Total = 10, Done = 4, Succeeded = 4, InFlight = 6, ConcurrencyLimit = 8 }));
        Assert.True(table.Report(b2.Shard, b2.Epoch, new ShardedRunCounts { Total = 10, Done = 3, Succeeded = 3, InFlight = 5, RateLimited = 1, ConcurrencyLimit = 16 }));
        var counts = table.Counts();
        Assert.Equal(new ShardedRunCounts { Total = 30, Done = 17, Succeeded = 16, Failed = 1, InFlight = 11, Retries = 2, RateLimited = 1, ConcurrencyLimit = 8 + 16 }, counts);

        // Shard 2's lease lapses and goes to A: B's late report is ignored, and the new epoch starts from its own.
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(table.Renew(a0.Shard, a0.Epoch, _time.GetUtcNow()));
        Assert.True(table.Renew(a1.Shard, a1.Epoch, _time.GetUtcNow()));
        var a2 = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(b2.Shard, a2.Shard);
        Assert.False(table.Report(b2.Shard, b2.Epoch, new ShardedRunCounts { Total = 10, Done = 9, Succeeded = 9 }));
        Assert.Equal(14, table.Counts().Done); // shard 2 counts nothing until its new holder reports
        Assert.True(table.Report(a2.Shard, a2.Epoch, new ShardedRunCounts { Total = 10, Done = 5, Succeeded = 2, ConcurrencyLimit = 8 }));

        var final = new ShardedRunCounts { Total = 10, Done = 10, Succeeded = 10, InputTokens = 100, OutputTokens = 50, InFlight = 1, ConcurrencyLimit = 8 };
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(a0.Shard, a0.Epoch, final, out _));
        Assert.False(table.Report(a0.Shard, a0.Epoch, new ShardedRunCounts { Total = 10, Done = 1 })); // committed: reports end
        Assert.Equal(final with { InFlight = 0, ConcurrencyLimit = 0 }, table.CommittedCounts(a0.Shard));
        counts = table.Counts();
        Assert.Equal(new ShardedRunCounts { Total = 30, Done = 19, Succeeded = 16, InFlight = 6, InputTokens = 100, OutputTokens = 50, ConcurrencyLimit = 8 }, counts);

        // The committed counts are in shards.json; reports are not (the holders send them again).
        await ShardTableFile.WriteAsync(table, path);
        var reloaded = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;
        Assert.Equal(table.CommittedCounts(a0.Shard), reloaded.CommittedCounts(a0.Shard));
        Assert.Equal(new ShardedRunCounts { Total = 30, Done = 10, Succeeded = 10, InputTokens = 100, OutputTokens = 50 }, reloaded.Counts());
    }

    [Fact]
    public async Task A_committed_shards_unknown_cost_stays_unknown_across_a_reload_never_0()
    {
        // A run without prices: the coordinator that reads shards.json again (a later submission, a moved grain)
        // must not turn "unknown" into $0.
        string path = Path.Combine(_directory, "shards.json");
        var table = NewTable(shards: 2);
        var lease = table.Grant(SiloA, _time.GetUtcNow(), NoneDead)!;
        Assert.Equal(ShardCommitOutcome.Committed, table.Commit(lease.Shard, lease.Epoch, new ShardedRunCounts { Total = 10, Done = 10, Succeeded = 10, Cost = null }, out _));

        await ShardTableFile.WriteAsync(table, path);
        var reloaded = (await ShardTableFile.ReadAsync("/shared/out.jsonl", path, _time.GetUtcNow()))!;

        Assert.Null(reloaded.CommittedCounts(lease.Shard)!.Cost);
        Assert.Null(reloaded.Counts().Cost);
    }

    [Fact]
    public void Each_worker_builds_its_client_with_the_runs_four_limits_drawn_from_the_clusters_budget()
    {
        var leaser = new Sluice.AI.InProcessCapacityLeaser();
        var client = (Options with { RequestsPerMinute = 600, TokensPerMinute = 90_000, InputTokensPerMinute = 80_000, OutputTokensPerMinute = 8_000, MaxConcurrency = 12 })
            .ClientOptions(new Sluice.AI.ProviderLaneRegistry(), leaser);
        Assert.Same(leaser, client.RateBudget.Leaser);
        Assert.Equal(600, client.RateBudget.RequestsPerMinute);
        Assert.Equal(90_000, client.RateBudget.TokensPerMinute);
        Assert.Equal(80_000, client.RateBudget.InputTokensPerMinute);
        Assert.Equal(8_000, client.RateBudget.OutputTokensPerMinute);
        Assert.Equal(12, client.Concurrency.MaxConcurrency);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
