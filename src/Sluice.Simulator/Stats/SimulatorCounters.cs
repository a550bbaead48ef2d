using System.Collections.Concurrent;
using System.Diagnostics;
using Sluice.Simulator.Content;

namespace Sluice.Simulator.Stats;

/// <summary>The live counters behind <c>/stats</c>. A reset swaps in a fresh tally; in-flight survives it.</summary>
internal sealed class SimulatorCounters
{
    private Tally _tally = new();
    private long _inFlight;

    public long InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a request's arrival; returns the new in-flight count.</summary>
    public long Enter()
    {
        var w = _tally;
        long now = Interlocked.Increment(ref _inFlight);
        long peak;
        while (now > (peak = Volatile.Read(ref w.PeakInFlight)) && Interlocked.CompareExchange(ref w.PeakInFlight, now, peak) != peak) { }
        Interlocked.Increment(ref w.Requests);
        int second = (int)Stopwatch.GetElapsedTime(w.Origin).TotalSeconds;
        var box = w.PerSecond.GetOrAdd(second, static _ => new long[1]);
        Interlocked.Increment(ref box[0]);
        return now;
    }

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Records a body; returns how many times it had been seen before this one.</summary>
    public int SeeBody(RequestHash hash)
    {
        var record = _tally.Bodies.GetOrAdd(hash, static _ => new BodyRecord());
        return Interlocked.Increment(ref record.Seen) - 1;
    }

    public void Status(string endpoint, int status)
    {
        var box = _tally.ByEndpoint.GetOrAdd((endpoint, status), static _ => new long[1]);
        Interlocked.Increment(ref box[0]);
    }

    public void RateLimited() => Interlocked.Increment(ref _tally.RateLimited);

    public void Fault(FaultKind kind) => Interlocked.Increment(ref _tally.Faults[(int)kind]);

    public void Succeeded(RequestHash hash, int promptTokens, int completionTokens, double? latencyMs)
    {
        var w = _tally;
        var record = w.Bodies.GetOrAdd(hash, static _ => new BodyRecord());
        Interlocked.Increment(ref record.Succeeded);
        Interlocked.Add(ref w.PromptTokens, promptTokens);
        Interlocked.Add(ref w.CompletionTokens, completionTokens);
        if (latencyMs is { } ms)
            w.Latency.Record(ms);
    }

    public void Reset()
    {
        var fresh = new Tally { PeakInFlight = InFlight };
        Interlocked.Exchange(ref _tally, fresh);
    }

    public StatsSnapshot Snapshot()
    {
        var w = _tally;
        var byEndpoint = new Dictionary<string, Dictionary<string, long>>();
        foreach (var ((endpoint, status), box) in w.ByEndpoint)
        {
            if (!byEndpoint.TryGetValue(endpoint, out var statuses))
                byEndpoint[endpoint] = statuses = new Dictionary<string, long>();
            statuses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Volatile.Read(ref box[0]);
        }
        var faults = new Dictionary<string, long>();
        for (int i = 1; i < w.Faults.Length; i++)
            faults[((FaultKind)i).ToString()] = Volatile.Read(ref w.Faults[i]);
        long distinct = 0, duplicates = 0, succeeded = 0, succeededTwice = 0;
        foreach (var record in w.Bodies.Values)
        {
            distinct++;
            if (Volatile.Read(ref record.Seen) > 1) duplicates++;
            int ok = Volatile.Read(ref record.Succeeded);
            if (ok >= 1) succeeded++;
            if (ok > 1) succeededTwice++;
        }
        double elapsed = Stopwatch.GetElapsedTime(w.Origin).TotalSeconds;
        var perSecond = new long[(int)elapsed + 1];
        foreach (var (second, box) in w.PerSecond)
        {
            if (second < perSecond.Length)
                perSecond[second] = Volatile.Read(ref box[0]);
        }
        return new StatsSnapshot
        {
            ElapsedSeconds = Math.Round(elapsed, 3),
            Requests = Volatile.Read(ref w.Requests),
            ByEndpoint = byEndpoint,
            InFlight = InFlight,
            PeakInFlight = Volatile.Read(ref w.PeakInFlight),
            RateLimited = Volatile.Read(ref w.RateLimited),
            Faults = faults,
            DistinctBodies = distinct,
            DuplicateBodies = duplicates,
            DistinctSucceeded = succeeded,
            SucceededMoreThanOnce = succeededTwice,
            PerSecond = perSecond,
            Latency = w.Latency.Summarise(),
            PromptTokens = Volatile.Read(ref w.PromptTokens),
            CompletionTokens = Volatile.Read(ref w.CompletionTokens),
        };
    }

    private sealed class BodyRecord
    {
        public int Seen;
        public int Succeeded;
    }

    private sealed class Tally
    {
        public readonly long Origin = Stopwatch.GetTimestamp();
        public readonly ConcurrentDictionary<(string, int), long[]> ByEndpoint = new();
        public readonly ConcurrentDictionary<RequestHash, BodyRecord> Bodies = new();
        public readonly ConcurrentDictionary<int, long[]> PerSecond = new();
        public readonly long[] Faults = new long[Enum.GetValues<FaultKind>().Length];
        public readonly LatencyRecorder Latency = new();
        public long Requests;
        public long PeakInFlight;
        public long RateLimited;
        public long PromptTokens;
        public long CompletionTokens;
    }
}
