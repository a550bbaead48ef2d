using System.Runtime.ExceptionServices;

namespace Sluice.Execution;

/// <summary>Runs the waves of <see cref="Jobs.GatherAsync{T}"/>: each wave starts when the previous one has ended.</summary>
internal sealed class GatherWaves<T>(int waveSize, IProgress<BatchProgress>? progress, long? total, CancellationToken cancellationToken)
{
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private readonly Lock _reportGate = new();
    private long _completed;
    private bool _receiverFailed;

    public async Task<IReadOnlyList<T>> RunAsync(IEnumerable<Func<CancellationToken, Task<T>>> jobs)
    {
        var results = total is { } n ? new List<T>((int)n) : new List<T>();
        foreach (var wave in jobs.Chunk(waveSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.AddRange(await RunWaveAsync(wave).ConfigureAwait(false));
        }

        Report(inFlight: 0);
        return results;
    }

    private async Task<T[]> RunWaveAsync(Func<CancellationToken, Task<T>>[] wave)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? first = null;
        var tasks = new Task<T>[wave.Length];
        for (int i = 0; i < wave.Length; i++)
        {
            tasks[i] = StartAsync(wave[i]);
        }

        async Task<T> StartAsync(Func<CancellationToken, Task<T>> job)
        {
            try
            {
                T value = await Jobs.Invoke(job, stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _completed);
                Report(inFlight: wave.Length);
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

    private void Report(int inFlight)
    {
        if (progress is null)
        {
            return;
        }

        // Serialised so that snapshots arrive in order and counts never go backwards. A receiver that throws is not
        // called again: a broken progress display must not fail the jobs.
        lock (_reportGate)
        {
            if (_receiverFailed)
            {
                return;
            }

            try
            {
                ReportLocked(progress, inFlight);
            }
            catch (Exception)
            {
                _receiverFailed = true;
            }
        }
    }

    private void ReportLocked(IProgress<BatchProgress> receiver, int inFlight)
    {
        long done = Interlocked.Read(ref _completed);
        TimeSpan elapsed = TimeProvider.System.GetElapsedTime(_started);
        double throughput = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        receiver.Report(new BatchProgress
        {
            Completed = done,
            InFlight = inFlight,
            Total = total,
            Elapsed = elapsed,
            ThroughputPerSecond = throughput,
            EstimatedRemaining = total is { } t && throughput > 0 ? TimeSpan.FromSeconds((t - done) / throughput) : null,
            ConcurrencyLimit = waveSize,
        });
    }
}
