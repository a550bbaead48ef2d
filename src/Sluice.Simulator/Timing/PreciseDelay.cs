using System.Diagnostics;

namespace Sluice.Simulator.Timing;

/// <summary>
/// Delays accurate to well under a millisecond. The runtime's timer queue runs on a coarse clock here
/// (<c>Task.Delay(50)</c> lasts about 52 ms), so one dedicated thread keeps a priority queue of deadlines, sleeps
/// until about <see cref="SpinWindowTicks"/> before the earliest one, then spins (yielding) and completes the waiter
/// on time. Continuations run asynchronously, so the timer thread never runs request code.
/// </summary>
internal sealed class PreciseDelay : IDisposable
{
    private static readonly long SpinWindowTicks = Stopwatch.Frequency * 2 / 1000; // 2 ms
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
            if (remaining > SpinWindowTicks)
            {
                int sleepMs = (int)((remaining - SpinWindowTicks) * 1000 / Stopwatch.Frequency);
                _wake.WaitOne(Math.Max(sleepMs, 1));
            }
            else if (remaining > 0)
            {
                Thread.Yield();
            }
        }
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
