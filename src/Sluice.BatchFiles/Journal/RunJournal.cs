using System.Buffers;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>
/// The append-only journal of a run: one JSON line per completed item (<see cref="JournalRecord"/>).
/// <see cref="AppendAsync"/> completes only when its record is flushed. Records are flushed in groups: a single
/// writer takes every record waiting, writes them, flushes once and completes them all, so a flush is never delayed
/// on purpose and under load its cost is shared by every record that arrived while the previous flush ran. A record
/// is copied once, into the open group's buffer, and the whole group completes as one task.
/// </summary>
/// <remarks>
/// Opening a journal drops a torn last line (a write cut by a kill) before appending, so records never glue onto
/// a fragment. Read a journal with <see cref="RunJournalReader"/>.
/// </remarks>
public sealed class RunJournal : IAsyncDisposable
{
    private const int MaxKeptBuffer = 1 << 20; // a buffer grown past this by a large record is not kept for reuse
    [ThreadStatic]
    private static RecordFormatter? t_formatter;
    private readonly FileStream _stream;
    private readonly bool _flushToDisk;
    private readonly object _gate = new(); // guards the fields below; the writer waits on it (Monitor.Wait)
    private readonly Task _writer;
    private Group _open = new(); // the group records join until the writer takes it
    private Group? _spare; // a written group's buffer, kept for reuse
    private bool _writerWaiting;
    private bool _closed;
    private Exception? _fault;

    private RunJournal(string path, RunJournalOptions options)
    {
        Path = path;
        _flushToDisk = options.FlushToDisk;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 64 * 1024);
        _stream.SetLength(RunJournalReader.CompleteLength(_stream));
        _stream.Seek(0, SeekOrigin.End);
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Opens the journal at <paramref name="path"/> for appending, creating it (and its directory) if needed.</summary>
    /// <param name="path">The journal file.</param>
    /// <param name="options">Durability options; <see langword="null"/> for the defaults.</param>
    /// <returns>The journal.</returns>
    public static RunJournal Open(string path, RunJournalOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return new RunJournal(path, options ?? new RunJournalOptions());
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Appends the record of a completed item and waits until it is flushed.</summary>
    /// <param name="result">The item's output line.</param>
    /// <param name="inputLine">The item's 1-based line in the input file.</param>
    /// <param name="cancellationToken">Stops the wait (the record may still be written).</param>
    /// <returns>A task that completes when the record is durable.</returns>
    public async ValueTask AppendAsync(BatchResult result, long inputLine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLine);
        await Enqueue(Formatter().Format(result, inputLine)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This thread's formatter; a new one when the last grew past <see cref="MaxKeptBuffer"/> (a large record).</summary>
    private static RecordFormatter Formatter() =>
        t_formatter is { Capacity: <= MaxKeptBuffer } formatter ? formatter : t_formatter = new RecordFormatter();

    /// <summary>Copies a formatted record into the open group and returns the group's completion. The copy is made
    /// before this returns, so the caller's buffer (a thread's formatter) is free for the next record.</summary>
    private Task Enqueue(ReadOnlySpan<byte> record)
    {
        lock (_gate)
        {
            if (_fault is { } fault)
            {
                throw new IOException($"The journal {Path} can no longer be written: {fault.Message}", fault);
            }

            if (_closed)
            {
                throw new ObjectDisposedException(nameof(RunJournal), $"The journal {Path} is closed.");
            }

            _open.Bytes.Write(record);
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_gate);
            }

            return _open.Done.Task;
        }
    }

    /// <summary>Appends the record of a completed item whose line is not an OpenAI output line (for example an
    /// evaluation outcome) and waits until it is flushed. It reads back as a <see cref="JournalRecord"/> like any other.</summary>
    /// <param name="customId">The item's id; the last record of an id counts.</param>
    /// <param name="outcome">How the item ended.</param>
    /// <param name="inputLine">The item's 1-based line in the input file.</param>
    /// <param name="line">The item's result as one JSON object (UTF-8, no line end).</param>
    /// <param name="cancellationToken">Stops the wait (the record may still be written).</param>
    /// <returns>A task that completes when the record is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="customId"/> is empty or <paramref name="line"/> is not one JSON object.</exception>
    public async ValueTask AppendLineAsync(string customId, JournalOutcome outcome, long inputLine, ReadOnlyMemory<byte> line, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(customId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLine);
        var span = line.Span.Trim(" \t\r\n"u8);
        if (span.IsEmpty || span[0] != (byte)'{' || span.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            throw new ArgumentException("The journalled line must be one JSON object on one line.", nameof(line));
        }

        Task flushed;
        try
        {
            flushed = Enqueue(Formatter().Format(customId, outcome == JournalOutcome.Succeeded, inputLine, span));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The journalled line must be one JSON object on one line: {ex.Message}", nameof(line), ex);
        }

        await flushed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is pending and closes the file.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        try
        {
            await _writer.ConfigureAwait(false);
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The group-commit writer, on a thread of its own: a flush to disk blocks for milliseconds, and on a
    /// thread-pool thread it would starve the callers' continuations (two pool threads on a 2-core machine).</summary>
    private void WriteLoop()
    {
        Group? group = null;
        try
        {
            while (TakeGroup() is { } taken)
            {
                group = taken;
                _stream.Write(group.Bytes.WrittenSpan);
                _stream.Flush(_flushToDisk);
                var done = group.Done;
                if (group.Bytes.Capacity <= MaxKeptBuffer)
                {
                    group.Reset();
                    lock (_gate)
                    {
                        _spare = group;
                    }
                }

                group = null;

                // One pool work item per group completes it: the callers' continuations then go to that pool thread's
                // own queue (cheap, and idle threads steal them), and this thread wakes the pool once per flush, not
                // once per record.
                ThreadPool.UnsafeQueueUserWorkItem(static done => done.TrySetResult(), done, preferLocal: false);
            }
        }
        catch (Exception exception)
        {
            Group open;
            lock (_gate)
            {
                _fault = exception; // later appends report this, not a closed journal
                open = _open;
            }

            group?.Done.TrySetException(exception);
            open.Done.TrySetException(exception);
            throw;
        }
    }

    /// <summary>Waits for records (or the close) and takes the open group, opening the next; <see langword="null"/> once
    /// the journal is closed and every record is taken.</summary>
    private Group? TakeGroup()
    {
        lock (_gate)
        {
            while (_open.Bytes.WrittenCount == 0)
            {
                if (_closed)
                {
                    return null;
                }

                _writerWaiting = true;
                Monitor.Wait(_gate);
            }

            var taken = _open;
            _open = _spare ?? new Group();
            _spare = null;
            return taken;
        }
    }

    /// <summary>Records waiting for one flush, and the task that completes when they are durable.</summary>
    private sealed class Group
    {
        public ArrayBufferWriter<byte> Bytes { get; } = new(64 * 1024);

        public TaskCompletionSource Done { get; private set; } = NewDone();

        public void Reset()
        {
            Bytes.ResetWrittenCount();
            Done = NewDone();
        }

        private static TaskCompletionSource NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Formats records into a buffer of its own, reused: one per thread, so formatting takes no lock.</summary>
    private sealed class RecordFormatter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _writer;

        public RecordFormatter() => _writer = new Utf8JsonWriter(_buffer);

        public int Capacity => _buffer.Capacity;

        public ReadOnlySpan<byte> Format(BatchResult result, long inputLine)
        {
            Start(result.CustomId, result.Succeeded, inputLine);
            result.WriteTo(_writer);
            return End();
        }

        public ReadOnlySpan<byte> Format(string customId, bool succeeded, long inputLine, ReadOnlySpan<byte> line)
        {
            Start(customId, succeeded, inputLine);
            _writer.WriteRawValue(line, skipInputValidation: false); // a line that is not JSON throws; Start resets the next
            return End();
        }

        private void Start(string customId, bool succeeded, long inputLine)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteString("custom_id"u8, customId);
            _writer.WriteString("outcome"u8, succeeded ? "succeeded"u8 : "failed"u8);
            _writer.WriteNumber("input_line"u8, inputLine);
            _writer.WritePropertyName("line"u8);
        }

        private ReadOnlySpan<byte> End()
        {
            _writer.WriteEndObject();
            _writer.Flush();
            _buffer.Write("\n"u8);
            return _buffer.WrittenSpan;
        }
    }
}
