using System.Runtime.InteropServices;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// Gives the C library's free heap memory back to the system (glibc's <c>malloc_trim(0)</c>) at most once per
/// <see cref="LocalEmbeddingOptions.NativeMemoryTrimInterval"/>, and only after an interval in which the generator
/// ran the model: the runs' native allocations (ONNX Runtime's per-run tensors, tokens, the index's and the cache's
/// SQLite pages in an ingestion) leave free pages inside glibc's heaps that stay resident, and over a long run they
/// added 13–17 % to the peak working set (docs/local-embeddings.md, "Memory").
/// </summary>
/// <remarks>The act is process-wide (every glibc arena, whoever freed into it). Where the C library has no
/// <c>malloc_trim</c> (not Linux, or not glibc), <see cref="Start"/> returns <see langword="null"/> and nothing runs.
/// The timer's callback runs on the thread pool, never on a caller's or a run thread.</remarks>
internal sealed class NativeMemoryTrimmer : IDisposable
{
    private static readonly Lazy<Func<bool>?> GlibcTrim = new(FindGlibcTrim);

    private readonly Func<bool> _trim;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _worked;
    private int _trims;
    private long _trimTicks;

    /// <summary>Starts a trimmer with glibc's <c>malloc_trim</c>.</summary>
    /// <param name="interval">The least time between two trims; <see cref="TimeSpan.Zero"/> for none.</param>
    /// <param name="time">The clock of the timer.</param>
    /// <returns>The trimmer, or <see langword="null"/> when <paramref name="interval"/> is zero or the C library cannot trim.</returns>
    public static NativeMemoryTrimmer? Start(TimeSpan interval, TimeProvider time) =>
        interval == TimeSpan.Zero || GlibcTrim.Value is not { } trim ? null : new NativeMemoryTrimmer(interval, time, trim);

    /// <summary>Creates a trimmer that calls <paramref name="trim"/> (tests pass their own).</summary>
    internal NativeMemoryTrimmer(TimeSpan interval, TimeProvider time, Func<bool> trim)
    {
        _trim = trim;
        _time = time;
        _timer = time.CreateTimer(_ => Tick(), null, interval, interval);
    }

    /// <summary>Gets how many trims have started.</summary>
    public int Trims => Volatile.Read(ref _trims);

    /// <summary>Gets the time the trims took, all together (the benchmark prints it).</summary>
    internal TimeSpan TrimTime => TimeSpan.FromTicks(Interlocked.Read(ref _trimTicks));

    /// <summary>Gets whether the model ran since the last tick (the next tick trims).</summary>
    internal bool WorkPending => Volatile.Read(ref _worked) == 1;

    /// <summary>Records that the model ran (one group): the next tick trims.</summary>
    public void NoteWork() => Volatile.Write(ref _worked, 1);

    /// <summary>Calls glibc's <c>malloc_trim(0)</c> now, if this process's C library has it.</summary>
    /// <returns><see langword="true"/> when memory was given back; <see langword="false"/> when none was, or the C
    /// library cannot trim.</returns>
    public static bool TrimNow() => GlibcTrim.Value is { } trim && trim();

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        if (Interlocked.Exchange(ref _worked, 0) == 1)
        {
            Interlocked.Increment(ref _trims);
            long began = _time.GetTimestamp();
            _trim();
            Interlocked.Add(ref _trimTicks, _time.GetElapsedTime(began).Ticks);
        }
    }

    private static Func<bool>? FindGlibcTrim()
    {
        if (!OperatingSystem.IsLinux()
            || !NativeLibrary.TryLoad("libc.so.6", out nint library)
            || !NativeLibrary.TryGetExport(library, "malloc_trim", out nint export))
        {
            return null;
        }

        var trim = Marshal.GetDelegateForFunctionPointer<MallocTrim>(export);
        return () => trim(0) != 0;
    }

    /// <summary>glibc: <c>int malloc_trim(size_t pad)</c>; 1 when memory was released.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrim(nuint pad);
}
