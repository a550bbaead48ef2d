using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace Sluice.BatchFiles;

/// <summary>
/// The append-only journal of a run: one JSON line per completed item (<see cref="JournalRecord"/>).
/// <see cref="AppendAsync"/> completes only when its record is flushed. Records are flushed in groups: a single
/// writer takes every record waiting, writes them, flushes once and completes them all, so a flush is never delayed
/// on purpose and under load its cost is shared by every record that arrived while the previous flush ran.
/// </summary>
/// <remarks>
/// Opening a journal drops a torn last line (a write cut by a kill) before appending, so records never glue onto
/// a fragment. Read a journal with <see cref="RunJournalReader"/>. A follower (<see cref="IJournalFollower"/>, for the
/// output files of a fresh run) sees each record's line on the writer's thread once the record is durable.
/// </remarks>
public sealed class RunJournal : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly bool _flushToDisk;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly IJournalFollower? _follower;
    private Exception? _fault;

    private RunJournal(string path, RunJournalOptions options, IJournalFollower? follower)
    {
        Path = path;
        _flushToDisk = options.FlushToDisk;
        _follower = follower;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 64 * 1024);
        _stream.SetLength(RunJournalReader.CompleteLength(_stream));
        _stream.Seek(0, SeekOrigin.End);
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Opens the journal at <paramref name="path"/> for appending, creating it (and its directory) if needed.</summary>
    /// <param name="path">The journal file.</param>
    /// <param name="options">Durability options; <see langword="null"/> for the defaults.</param>
    /// <returns>The journal.</returns>
    public static RunJournal Open(string path, RunJournalOptions? options = null) => Open(path, options, follower: null);

    /// <summary>Opens the journal with a follower that sees every record appended from now on, after it is durable.</summary>
    internal static RunJournal Open(string path, RunJournalOptions? options, IJournalFollower? follower)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return new RunJournal(path, options ?? new RunJournalOptions(), follower);
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
        byte[] line = result.ToJsonLine();
        await EnqueueAsync(new Pending(Format(result.CustomId, result.Succeeded, inputLine, line, validate: false), result.Succeeded, line.Length), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(Pending pending, CancellationToken cancellationToken)
    {
        if (!_pending.Writer.TryWrite(pending))
        {
            if (Volatile.Read(ref _fault) is { } fault)
            {
                throw new IOException($"The journal {Path} can no longer be written: {fault.Message}", fault);
            }

            throw new ObjectDisposedException(nameof(RunJournal), $"The journal {Path} is closed.");
        }

        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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

        byte[] record;
        try
        {
            record = Format(customId, outcome == JournalOutcome.Succeeded, inputLine, span);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The journalled line must be one JSON object on one line: {ex.Message}", nameof(line), ex);
        }

        await EnqueueAsync(new Pending(record, outcome == JournalOutcome.Succeeded, span.Length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is pending and closes the file; the follower has seen every record when this completes.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        try
        {
            await _writer.ConfigureAwait(false);
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A record: <c>{"custom_id", "outcome", "input_line", "line": LINE}</c> and a line feed, <c>LINE</c> last
    /// and as given, so a record's output line is the <see cref="Pending.Line"/> just before its final <c>}\n</c>.</summary>
    private static byte[] Format(string customId, bool succeeded, long inputLine, ReadOnlySpan<byte> line, bool validate = true)
    {
        var buffer = new ArrayBufferWriter<byte>(line.Length + (customId.Length * 6) + 96); // the whole record: no growing
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("custom_id"u8, customId);
            writer.WriteString("outcome"u8, succeeded ? "succeeded"u8 : "failed"u8);
            writer.WriteNumber("input_line"u8, inputLine);
            writer.WritePropertyName("line"u8);
            writer.WriteRawValue(line, skipInputValidation: !validate);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The group-commit writer, on a thread of its own: a flush to disk blocks for milliseconds, and on a
    /// thread-pool thread it would starve the callers' continuations (two pool threads on a 2-core machine).</summary>
    private void WriteLoop()
    {
        var group = new List<Pending>();
        try
        {
            while (WaitForRecords())
            {
                while (_pending.Reader.TryRead(out var pending))
                {
                    _stream.Write(pending.Bytes);
                    group.Add(pending);
                }

                _stream.Flush(_flushToDisk);
                foreach (var done in group)
                {
                    done.Done.TrySetResult();
                }

                if (_follower is { } follower)
                {
                    foreach (var durable in group)
                    {
                        follower.Follow(durable.Succeeded, durable.Line);
                    }
                }

                group.Clear();
            }
        }
        catch (Exception exception)
        {
            Volatile.Write(ref _fault, exception); // later appends report this, not a closed journal
            _pending.Writer.TryComplete(exception);
            foreach (var failed in group)
            {
                failed.Done.TrySetException(exception);
            }

            while (_pending.Reader.TryRead(out var pending))
            {
                pending.Done.TrySetException(exception);
            }

            throw;
        }
    }

    private bool WaitForRecords()
    {
        var wait = _pending.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private sealed class Pending(byte[] bytes, bool succeeded, int lineLength)
    {
        public byte[] Bytes { get; } = bytes;

        public bool Succeeded { get; } = succeeded;

        /// <summary>The record's output line: the bytes before the record's closing <c>}</c> and line feed.</summary>
        public ReadOnlySpan<byte> Line => Bytes.AsSpan(Bytes.Length - 2 - lineLength, lineLength);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
