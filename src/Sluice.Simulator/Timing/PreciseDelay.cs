using System.Diagnostics;

namespace Sluice.Simulator.Timing;

/// <summary>
/// Delays accurate to well under a millisecond. The runtime's timer queue runs on a coarse clock here
/// (<c>Task.Delay(50)</c> lasts about 52 ms), so one dedicated thread keeps a priority queue of deadlines, waits
/// (interruptibly) until about <see cref="FineWindowTicks"/> before the earliest one, then sleeps the rest with the
/// kernel's high-resolution <c>nanosleep</c> and completes the waiter on time. It never spins: under sustained load
/// there is always a deadline less than a millisecond away, and a spinning thread would take a whole core from the
/// clients the simulator is meant to measure. Continuations run asynchronously, so the timer thread never runs
/// request code.
/// </summary>
internal sealed class PreciseDelay : IDisposable
{
    private static readonly long FineWindowTicks = Stopwatch.Frequency * 3 / 1000; // 3 ms
    private static readonly long FineStepTicks = Stopwatch.Frequency / 1000; // re-check the queue at least every 1 ms
    private readonly PriorityQueue<TaskCompletionSource, long> _queue = new();
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stopped;

    public PreciseDelay()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "Sluice.Simulator precise delay", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>Completes at <paramref name="deadline"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public Task WaitUntilAsync(long deadline, CancellationToken cancellationToken)
    {
        if (Stopwatch.GetTimestamp() >= deadline)
            return Task.CompletedTask;
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool earliest;
        lock (_gate)
        {
            earliest = !_queue.TryPeek(out _, out var head) || deadline < head;
            _queue.Enqueue(waiter, deadline);
        }
        if (earliest)
            _wake.Set();
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter);
            waiter.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return waiter.Task;
    }

    /// <summary>Completes <paramref name="milliseconds"/> from now.</summary>
    public Task DelayAsync(double milliseconds, CancellationToken cancellationToken) =>
        milliseconds <= 0 ? Task.CompletedTask
            : WaitUntilAsync(Stopwatch.GetTimestamp() + (long)(milliseconds * Stopwatch.Frequency / 1000.0), cancellationToken);

    private void Run()
    {
        List<TaskCompletionSource> due = new();
        while (!_stopped)
        {
            long now = Stopwatch.GetTimestamp();
            long next = long.MaxValue;
            lock (_gate)
            {
                while (_queue.TryPeek(out var waiter, out var deadline))
                {
                    if (deadline > now) { next = deadline; break; }
                    _queue.Dequeue();
                    due.Add(waiter);
                }
            }
            foreach (var waiter in due)
                waiter.TrySetResult();
            due.Clear();

            if (next == long.MaxValue)
            {
                _wake.WaitOne();
                continue;
            }
            long remaining = next - Stopwatch.GetTimestamp();
            if (remaining > FineWindowTicks)
            {
                int sleepMs = (int)((remaining - FineWindowTicks) * 1000 / Stopwatch.Frequency);
                _wake.WaitOne(Math.Max(sleepMs, 1));
            }
            else if (remaining > 0)
            {
                SleepPrecisely(Math.Min(remaining, FineStepTicks));
            }
        }
    }

    /// <summary>Sleeps for <paramref name="ticks"/> (Stopwatch ticks) with the kernel's nanosecond sleep.</summary>
    private static void SleepPrecisely(long ticks)
    {
        long nanoseconds = ticks * 1_000_000_000 / Stopwatch.Frequency;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, nanoseconds / 100)));
            return;
        }

        var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = NanoSleep(ref request, IntPtr.Zero);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "nanosleep", SetLastError = true)]
    private static extern int NanoSleep(ref TimeSpec request, IntPtr remaining);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public void Dispose()
    {
        _stopped = true;
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        lock (_gate)
        {
            while (_queue.TryDequeue(out var waiter, out _))
                waiter.TrySetCanceled();
        }
        _wake.Dispose();
    }
}
