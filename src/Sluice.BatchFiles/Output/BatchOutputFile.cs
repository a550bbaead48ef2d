namespace Sluice.BatchFiles;

/// <summary>
/// Writes an output or errors file as a temporary file beside it (<c>&lt;path&gt;.partial</c>); the file at
/// <see cref="Path"/> appears, complete, only when <see cref="CommitAsync"/> renames it into place. Disposing without
/// committing deletes the temporary file.
/// </summary>
public sealed class BatchOutputFile : IAsyncDisposable
{
    private static readonly ReadOnlyMemory<byte> LineEnd = "\n"u8.ToArray();

    private readonly FileStream _stream;
    private bool _committed;

    private BatchOutputFile(string path)
    {
        Path = path;
        TemporaryPath = path + ".partial";
        _stream = new FileStream(TemporaryPath, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
    }

    /// <summary>Starts writing the file at <paramref name="path"/> (its directory must exist).</summary>
    /// <param name="path">The final path.</param>
    /// <returns>The writer.</returns>
    public static BatchOutputFile Create(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new BatchOutputFile(System.IO.Path.GetFullPath(path));
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>The temporary file written until the commit.</summary>
    public string TemporaryPath { get; }

    /// <summary>How many lines were written.</summary>
    public long LineCount { get; private set; }

    /// <summary>Writes one result as a line.</summary>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the line is buffered.</returns>
    public ValueTask WriteAsync(BatchResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return WriteLineAsync(result.ToJsonLine(), cancellationToken);
    }

    /// <summary>Writes a line already in output form (from the journal, say), followed by a line feed.</summary>
    /// <param name="jsonLine">The line's UTF-8 JSON, without a line end.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the line is buffered.</returns>
    public async ValueTask WriteLineAsync(ReadOnlyMemory<byte> jsonLine, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        await _stream.WriteAsync(jsonLine, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(LineEnd, cancellationToken).ConfigureAwait(false);
        LineCount++;
    }

    /// <summary>Writes a line already in output form, followed by a line feed, synchronously (for a caller on a thread of
    /// its own, such as a journal's writer).</summary>
    internal void WriteLine(ReadOnlySpan<byte> jsonLine)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        _stream.Write(jsonLine);
        _stream.Write(LineEnd.Span);
        LineCount++;
    }

    /// <summary>Flushes the file to disk and renames it into place, replacing any file there.</summary>
    /// <param name="cancellationToken">Stops the flush.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.Flush(flushToDisk: true);
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Move(TemporaryPath, Path, overwrite: true);
        _committed = true;
    }

    /// <summary>Closes the file; without a commit, discards what is buffered and deletes the temporary file.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_committed)
        {
            return;
        }

        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The buffered tail could not be written (a full disk, say): the file is being discarded anyway, and the
            // stream has closed its handle.
        }

        File.Delete(TemporaryPath);
        _committed = true;
    }
}
