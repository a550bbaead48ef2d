using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Sluice.Execution;

/// <summary>Runs the waves of <see cref="Jobs.GatherAsync{T}"/>: each wave starts when the previous one has ended.
/// Progress goes through the engine's <see cref="ProgressPacer"/>, one report after each job.</summary>
internal sealed class GatherWaves<T>
{
    private readonly int _waveSize;
    private readonly long? _total;
    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellationToken;
    private readonly ProgressPacer? _pacer;
    private readonly Lock _lock = new();
    private readonly long _started;

    // Guarded by _lock.
    private long _completed;
    private long _snapshotSequence;

    private GatherWaves(int waveSize, IProgress<BatchProgress>? progress, long? total, TimeProvider time, CancellationToken cancellationToken)
    {
        _waveSize = waveSize;
        _total = total;
        _time = time;
        _cancellationToken = cancellationToken;
        _started = time.GetTimestamp();
        if (progress is not null)
        {
            _pacer = new ProgressPacer(progress, time, TimeSpan.Zero, _lock);
        }
    }

    /// <summary>Checks the arguments (a bad one faults the returned task) and runs the waves.</summary>
    public static async Task<IReadOnlyList<T>> RunAsync(
        IEnumerable<Func<CancellationToken, Task<T>>> jobs,
        int waveSize,
        IProgress<BatchProgress>? progress,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(waveSize);
        long? total = jobs.TryGetNonEnumeratedCount(out int count) ? count : null;
        var waves = new GatherWaves<T>(waveSize, progress, total, time, cancellationToken);
        return await waves.RunAsync(jobs).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<T>> RunAsync(IEnumerable<Func<CancellationToken, Task<T>>> jobs)
    {
        var results = _total is { } n ? new List<T>((int)n) : new List<T>();
        foreach (var wave in jobs.Chunk(_waveSize))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            results.AddRange(await RunWaveAsync(wave).ConfigureAwait(false));
        }

        if (_pacer is not null)
        {
            BatchProgress snapshot;
            long sequence;
            lock (_lock)
            {
                snapshot = SnapshotLocked(inFlight: 0, out sequence);
            }

            _pacer.Report(snapshot, sequence);
        }

        return results;
    }

    private async Task<T[]> RunWaveAsync(Func<CancellationToken, Task<T>>[] wave)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
        Exception? first = null;
        var tasks = new Task<T>[wave.Length];
        int running = wave.Length;
        for (int i = 0; i < wave.Length; i++)
        {
            tasks[i] = StartAsync(wave[i]);
        }

        async Task<T> StartAsync(Func<CancellationToken, Task<T>> job)
        {
            try
            {
                T value = await Jobs.Invoke(job, stop.Token).ConfigureAwait(false);
                OnJobCompleted(inFlight: Interlocked.Decrement(ref running));
                return value;
            }
            catch (Exception ex)
            {
                if (Interlocked.CompareExchange(ref first, ex, null) is null)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                throw;
            }
        }

        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch when (first is not null)
        {
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }

    private void OnJobCompleted(int inFlight)
    {
        if (_pacer is null)
        {
            return; // the count serves only progress
        }

        BatchProgress? snapshot = null;
        long sequence = 0;
        lock (_lock)
        {
            _completed++;
            if (_pacer.IsDue(_time.GetTimestamp()))
            {
                snapshot = SnapshotLocked(inFlight, out sequence);
            }
        }

        if (snapshot is not null)
        {
            _pacer.Report(snapshot, sequence);
        }
    }

    private BatchProgress SnapshotLocked(int inFlight, out long sequence)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        sequence = ++_snapshotSequence;
        TimeSpan elapsed = _time.GetElapsedTime(_started);
        double throughput = elapsed > TimeSpan.Zero ? _completed / elapsed.TotalSeconds : 0;
        return new BatchProgress
        {
            Completed = _completed,
            InFlight = inFlight,
            Total = _total,
            Elapsed = elapsed,
            ThroughputPerSecond = throughput,
            EstimatedRemaining = _total is { } t && throughput > 0 ? TimeSpan.FromSeconds((t - _completed) / throughput) : null,
            ConcurrencyLimit = _waveSize,
        };
    }
}
