using Orleans.Runtime;

namespace Sluice.Cluster.Runs;

/// <summary>
/// The decisions about a run's shards, with no I/O and no clock of its own: which shard a worker gets, which epoch it
/// carries, whether a renewal or a commit is valid. Fencing is one rule: a lease is valid while its epoch is its
/// shard's current epoch, and a grant always makes a new, higher epoch current. The coordinator persists
/// <see cref="ShardTableFile"/> after every change this class reports and before answering.
/// </summary>
internal sealed class ShardTable
{
    private readonly Slot[] _slots;

    public ShardTable(string run, ShardedRunOptions options, IReadOnlyList<ShardRange> ranges, long lastEpoch = 0)
    {
        Run = run;
        Options = options;
        Ranges = [.. ranges];
        _slots = new Slot[Ranges.Length];
        LastEpoch = lastEpoch;
    }

    public string Run { get; }

    /// <summary>The run's options as last submitted (a later submission may change those that
    /// <see cref="ShardedRunOptions.IsSameRunAs"/> ignores; leases granted from then on carry them).</summary>
    public ShardedRunOptions Options { get; set; }

    /// <summary>The invalid lines written to the run's invalid-lines errors file (<see cref="ShardedRunOptions.SkipInvalid"/>):
    /// items done and failed before any shard runs.</summary>
    public long InvalidLines { get; set; }

    public ShardRange[] Ranges { get; }

    /// <summary>The highest epoch granted in this run (persisted: a reactivated coordinator continues above it).</summary>
    public long LastEpoch { get; private set; }

    /// <summary>The line counts of the final files once assembled.</summary>
    public (long Output, long Errors)? Assembled { get; set; }

    public int Count => _slots.Length;

    public int CommittedCount => _slots.Count(s => s.Committed is not null);

    public bool AllCommitted => _slots.All(s => s.Committed is not null);

    /// <summary>The shard's current epoch (0 before its first grant), holder and committed epoch.</summary>
    public (long Epoch, SiloAddress? Holder, long? Committed) this[int shard] => (_slots[shard].Epoch, _slots[shard].Holder, _slots[shard].Committed);

    /// <summary>The silo whose worker committed the shard, for diagnostics.</summary>
    public SiloAddress? CommittedBy(int shard) => _slots[shard].CommittedBy;

    /// <summary>The counts the shard's committing epoch reported, or <see langword="null"/> before its commit.</summary>
    public ShardedRunCounts? CommittedCounts(int shard) => _slots[shard].Counts;

    /// <summary>How many times in a row the shard's lease has lapsed (persisted, so a poison shard is still abandoned
    /// after its coordinator moved to another silo).</summary>
    public int Lapses(int shard) => _slots[shard].Lapses;

    /// <summary>Restores one shard's state from the file; a held lease gets a whole lease duration from
    /// <paramref name="now"/> to be renewed (the holder cannot have renewed with a coordinator that was not there). A shard
    /// whose lapses had reached <see cref="ShardedRunOptions.MaxLeaseLapses"/> without being committed was being closed
    /// when the coordinator went: it is closed again, under its recorded epoch (<see cref="Abandoning"/>).</summary>
    public void Restore(int shard, long epoch, SiloAddress? holder, long? committed, SiloAddress? committedBy, ShardedRunCounts? counts, int lapses, DateTimeOffset now)
    {
        ref var slot = ref _slots[shard];
        slot.Epoch = epoch;
        slot.Holder = committed is null ? holder : null;
        slot.Committed = committed;
        slot.CommittedBy = committed is null ? null : committedBy;
        slot.Counts = committed is null ? null : counts ?? new ShardedRunCounts { Total = Ranges[shard].Lines, Done = Ranges[shard].Lines };
        slot.ExpiresAt = now + Options.LeaseDuration;
        slot.Lapses = committed is null ? lapses : 0;
        slot.Abandoning = committed is null && lapses >= Options.MaxLeaseLapses;
        if (slot.Abandoning)
        {
            slot.Holder = null;
        }

        LastEpoch = Math.Max(LastEpoch, Math.Max(epoch, committed ?? 0));
    }

    /// <summary>A new lease on the first shard that is not committed and not validly held, or <see langword="null"/>.</summary>
    /// <param name="holder">The worker's silo.</param>
    /// <param name="now">The time now.</param>
    /// <param name="isDead">Whether a silo has been declared dead (its leases lapse at once).</param>
    public ShardLease? Grant(SiloAddress holder, DateTimeOffset now, Func<SiloAddress, bool> isDead)
    {
        for (int shard = 0; shard < _slots.Length; shard++)
        {
            ref var slot = ref _slots[shard];
            if (slot.Committed is not null || slot.Abandoning || (slot.Holder is { } current && slot.ExpiresAt > now && !isDead(current)))
            {
                continue;
            }

            if (slot.Holder is not null && ++slot.Lapses >= Options.MaxLeaseLapses)
            {
                // Its lease lapsed too often in a row: no worker gets it again; the coordinator closes it under an
                // epoch of its own (Abandoning, then CommitAbandoned).
                slot.Epoch = ++LastEpoch;
                slot.Holder = null;
                slot.Live = null;
                slot.Abandoning = true;
                continue;
            }

            slot.Epoch = ++LastEpoch;
            slot.Holder = holder;
            slot.Live = null;
            slot.ExpiresAt = now + Options.LeaseDuration;
            var range = Ranges[shard];
            return new ShardLease
            {
                Run = Run, Shard = shard, Epoch = slot.Epoch, Offset = range.Offset, Length = range.Length, FirstLine = range.FirstLine, Options = Options,
                Skipped = range.Skipped, SpendElsewhere = SpendElsewhere(shard),
            };
        }

        return null;
    }

    /// <summary>The shards to close because their leases lapsed too often (see <see cref="Grant"/>), with their epochs
    /// and how many times in a row their leases lapsed.</summary>
    public List<(int Shard, long Epoch, int Lapses)> Abandoning()
    {
        var shards = new List<(int, long, int)>();
        for (int shard = 0; shard < _slots.Length; shard++)
        {
            if (_slots[shard] is { Abandoning: true, Committed: null } slot)
            {
                shards.Add((shard, slot.Epoch, slot.Lapses));
            }
        }

        return shards;
    }

    /// <summary>Commits an abandoned shard under the epoch it was closed with, with the counts of the files written for it.</summary>
    public void CommitAbandoned(int shard, long epoch, ShardedRunCounts counts)
    {
        ref var slot = ref At(shard);
        if (!slot.Abandoning || slot.Epoch != epoch)
        {
            throw new InvalidOperationException($"Shard {shard} of {Run} is not being abandoned under epoch {epoch}.");
        }

        slot.Committed = epoch;
        slot.CommittedBy = null;
        slot.Abandoning = false;
        slot.Lapses = 0;
        slot.Counts = counts with { Total = Ranges[shard].Lines, InFlight = 0, ConcurrencyLimit = 0 };
    }

    /// <summary>Makes a committed shard run again (a submission that retries errors or raises the cost limit): it is
    /// leased anew under a higher epoch, whose run resumes from the committed epoch's journal. Its committed counts
    /// stand in for it until its new holder reports.</summary>
    public void Reopen(int shard)
    {
        ref var slot = ref At(shard);
        if (slot.Committed is null)
        {
            return;
        }

        slot.Committed = null;
        slot.CommittedBy = null;
        slot.Holder = null;
        slot.Live = null;
        slot.Lapses = 0;
        Assembled = null;
    }

    /// <summary>What the shards other than <paramref name="shard"/> have spent, as committed or last reported: the spend
    /// that counts toward <see cref="ShardedRunOptions.MaxCost"/> besides the shard's own.</summary>
    public decimal SpendElsewhere(int shard)
    {
        decimal spent = 0;
        for (int other = 0; other < _slots.Length; other++)
        {
            if (other != shard)
            {
                spent += CountsOf(other).Cost ?? 0;
            }
        }

        return spent;
    }

    /// <summary>Extends the lease if <paramref name="epoch"/> is still the shard's current epoch and it is not
    /// committed. A lease that ran out but was not granted again is still current, so it may be renewed.</summary>
    public bool Renew(int shard, long epoch, DateTimeOffset now)
    {
        ref var slot = ref At(shard);
        if (slot.Committed is not null || slot.Epoch != epoch || slot.Holder is null)
        {
            return false;
        }

        slot.ExpiresAt = now + Options.LeaseDuration;
        return true;
    }

    /// <summary>Keeps the counts the holder of <paramref name="epoch"/> reports, while that epoch holds the shard
    /// (a report from an older epoch is ignored); returns whether they were kept.</summary>
    public bool Report(int shard, long epoch, ShardedRunCounts counts)
    {
        ref var slot = ref At(shard);
        if (slot.Committed is not null || slot.Epoch != epoch || slot.Holder is null)
        {
            return false;
        }

        slot.Live = counts;
        return true;
    }

    /// <summary>The run's counts now: each committed shard's committed counts, each held shard's latest report (a
    /// shard not reported yet counts its lines in <see cref="ShardedRunCounts.Total"/> only). The concurrency limit
    /// is summed over the holders, one per worker's silo, since a worker's shards share its lane.</summary>
    public ShardedRunCounts Counts()
    {
        var sum = ShardedRunCounts.None;
        var limits = new Dictionary<SiloAddress, int>();
        for (int shard = 0; shard < _slots.Length; shard++)
        {
            ref var slot = ref _slots[shard];
            sum = sum.Plus(CountsOf(shard) with { Total = Ranges[shard].Lines, ConcurrencyLimit = 0 });
            if (slot.Committed is null && slot.Holder is { } holder && slot.Live is { } live)
            {
                limits[holder] = Math.Max(limits.GetValueOrDefault(holder), live.ConcurrencyLimit);
            }
        }

        long invalid = InvalidLines;
        return sum with { Total = sum.Total + invalid, Done = sum.Done + invalid, Failed = sum.Failed + invalid, ConcurrencyLimit = limits.Values.Sum() };
    }

    /// <summary>A shard's counts now: its holder's latest report while it is held and has reported, else its committed
    /// counts (kept while a reopened shard waits for its new holder's first report), else none.</summary>
    private ShardedRunCounts CountsOf(int shard)
    {
        ref var slot = ref _slots[shard];
        return slot.Committed is null && slot.Holder is not null && slot.Live is { } live ? live : slot.Counts ?? ShardedRunCounts.None;
    }

    /// <summary>Frees the shard if <paramref name="epoch"/> holds it; returns whether anything changed.</summary>
    public bool Release(int shard, long epoch)
    {
        ref var slot = ref At(shard);
        if (slot.Committed is not null || slot.Epoch != epoch || slot.Holder is null)
        {
            return false;
        }

        slot.Holder = null;
        return true;
    }

    /// <summary>Commits the shard under <paramref name="epoch"/> when that is its current epoch; committing the
    /// committed epoch again is <see cref="ShardCommitOutcome.Committed"/> with <paramref name="changed"/> false.</summary>
    public ShardCommitOutcome Commit(int shard, long epoch, ShardedRunCounts counts, out bool changed)
    {
        ref var slot = ref At(shard);
        changed = false;
        if (slot.Committed is { } committed)
        {
            return committed == epoch ? ShardCommitOutcome.Committed : ShardCommitOutcome.Rejected;
        }

        if (slot.Epoch != epoch || slot.Holder is null)
        {
            return ShardCommitOutcome.Rejected;
        }

        slot.Committed = epoch;
        slot.Lapses = 0;
        slot.CommittedBy = slot.Holder;
        slot.Holder = null;
        slot.Live = null;
        slot.Counts = counts with { Total = Ranges[shard].Lines, InFlight = 0, ConcurrencyLimit = 0 };
        changed = true;
        return ShardCommitOutcome.Committed;
    }

    /// <summary>The leases held now (lapsed ones included until another worker takes the shard).</summary>
    public List<ShardLeaseHolder> Leases()
    {
        var leases = new List<ShardLeaseHolder>();
        for (int shard = 0; shard < _slots.Length; shard++)
        {
            if (_slots[shard] is { Committed: null, Holder: { } holder } slot)
            {
                leases.Add(new ShardLeaseHolder(shard, slot.Epoch, holder));
            }
        }

        return leases;
    }

    private ref Slot At(int shard)
    {
        if ((uint)shard >= (uint)_slots.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The run {Run} has shards 0 to {_slots.Length - 1}; there is no shard {shard}.");
        }

        return ref _slots[shard];
    }

    private struct Slot
    {
        public long Epoch;
        public SiloAddress? Holder;
        public DateTimeOffset ExpiresAt;
        public long? Committed;
        public SiloAddress? CommittedBy;
        public ShardedRunCounts? Counts;
        public ShardedRunCounts? Live;
        public int Lapses;
        public bool Abandoning;
    }
}
