using System.Collections.Concurrent;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// The generator's own threads for ONNX runs: <see cref="LocalEmbeddingOptions.Parallelism"/> long-lived threads that
/// run every call's workers, so the native memory a thread gathers (its C-library malloc arena, ONNX Runtime's and
/// MLAS's per-thread buffers) serves each later call instead of being gathered again by new threads.
/// </summary>
/// <remarks>Replaces a new thread per worker per call (<see cref="TaskCreationOptions.LongRunning"/>), which ingestion's
/// thousands of small calls multiplied. Its effect on ingestion's peak working set measured within the run-to-run
/// scatter (docs/benchmarks.md, issues 11 and 12, fourth pass); it saves two thread starts per call.</remarks>
internal sealed class RunThreads : IDisposable
{
    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> _queue = new();
    private readonly Thread[] _threads;

    public RunThreads(int count)
    {
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = $"sluice-embed-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Queues <paramref name="work"/> for the next free thread.</summary>
    /// <returns>A task that completes as the work does: faulted with its exception, or cancelled when it throws
    /// <see cref="OperationCanceledException"/>.</returns>
    public Task Run(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((work, done));
        return done.Task;
    }

    /// <summary>Lets the threads finish the work already queued, then end.</summary>
    public void Dispose() => _queue.CompleteAdding();

    private void Loop()
    {
        foreach (var (work, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                work();
                done.TrySetResult();
            }
            catch (OperationCanceledException exception)
            {
                done.TrySetCanceled(exception.CancellationToken);
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        }
    }
}
