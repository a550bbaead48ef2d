namespace Sluice.Execution;

/// <summary>
/// Paces and serialises progress reports: at most one per interval, never one older than the last reported,
/// and the final snapshot always delivered last. Snapshots are numbered by the run under its lock.
/// </summary>
internal sealed class ProgressPacer(IProgress<BatchProgress> receiver, TimeProvider time, TimeSpan interval)
{
    private readonly Lock _reportGate = new();
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private long _nextDue;
    private long _lastReported = -1;
    private bool _receiverFailed;

    /// <summary>Whether a report is due at <paramref name="now"/>; if so, the next is scheduled. Call under the run's lock.</summary>
    public bool IsDue(long now)
    {
        if (now < _nextDue)
        {
            return false;
        }

        _nextDue = now + _intervalTicks;
        return true;
    }

    /// <summary>Delivers a snapshot numbered <paramref name="sequence"/> unless a newer one was delivered already.</summary>
    /// <remarks>A receiver that throws is not called again: a broken progress display (a closed pipe, say) must not
    /// stop or hang the batch whose progress it shows.</remarks>
    public void Report(BatchProgress snapshot, long sequence)
    {
        lock (_reportGate)
        {
            if (sequence <= _lastReported || _receiverFailed)
            {
                return;
            }

            _lastReported = sequence;
            try
            {
                receiver.Report(snapshot);
            }
            catch (Exception)
            {
                _receiverFailed = true;
            }
        }
    }
}
