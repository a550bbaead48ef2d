using System.Diagnostics;

namespace Sluice.Execution;

/// <summary>
/// Paces and serialises progress reports: at most one per interval, never one older than the last reported,
/// and the final snapshot always delivered last. Snapshots are taken and numbered by the owner (a batch run, the
/// waves of <see cref="Jobs.GatherAsync{T}"/>) under its own lock, <paramref name="ownerLock"/>.
/// </summary>
internal sealed class ProgressPacer(IProgress<BatchProgress> receiver, TimeProvider time, TimeSpan interval, Lock ownerLock)
{
    private readonly Lock _lock = new();
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private long _nextDue;
    private long _lastReported = -1;
    private bool _receiverFailed;

    /// <summary>Whether a report is due at <paramref name="now"/>; if so, the next is scheduled. Call under the owner's lock.</summary>
    public bool IsDue(long now)
    {
        Debug.Assert(ownerLock.IsHeldByCurrentThread);
        if (_intervalTicks == 0)
        {
            return true; // every change: a completion whose clock reading came before another's must still report
        }

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
        lock (_lock)
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
