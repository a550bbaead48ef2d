namespace Sluice.BatchFiles;

/// <summary>
/// The output and errors files of a fresh run in completion order, written while the run goes on: each journal record,
/// once durable, is copied to the file it belongs in (<see cref="IJournalFollower"/>), so the run ends with a flush
/// and a rename instead of a pass over the whole journal (<see cref="OutputAssembler"/>).
/// </summary>
/// <remarks>
/// Only a run that starts with an empty journal and writes completion order can be followed: every item then has one
/// record, so journal order is the output. A resume, <c>--retry-errors</c> or <c>--ordered</c> keeps the assembler.
/// A file that cannot be written stops the copying (<see cref="Faulted"/>) without touching the journal or the run;
/// the caller then assembles the files from the journal, as it does when <see cref="CommitAsync"/> fails. Nothing appears at the final paths before
/// <see cref="CommitAsync"/>.
/// </remarks>
internal sealed class CompletionOrderOutput : IJournalFollower, IAsyncDisposable
{
    private readonly BatchOutputFile _output;
    private readonly BatchOutputFile _errors;
    private volatile bool _faulted;

    public CompletionOrderOutput(string outputPath, string errorsPath)
    {
        _output = BatchOutputFile.Create(outputPath);
        try
        {
            _errors = BatchOutputFile.Create(errorsPath);
        }
        catch
        {
            _output.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Whether a write failed: the files are incomplete and must be assembled from the journal.</summary>
    public bool Faulted => _faulted;

    /// <inheritdoc/>
    public void Follow(bool succeeded, ReadOnlySpan<byte> line)
    {
        if (_faulted)
        {
            return;
        }

        try
        {
            (succeeded ? _output : _errors).WriteLine(line);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _faulted = true;
        }
    }

    /// <summary>Writes what <paramref name="writeMore"/> adds to the errors file, flushes both files to disk and renames
    /// them into place. Call it only after the journal is closed (its follower has then seen every record).</summary>
    /// <returns>The lines in the output and errors files.</returns>
    public async Task<(long Output, long Errors)> CommitAsync(Func<BatchOutputFile, Task<long>>? writeMore, CancellationToken cancellationToken)
    {
        if (_faulted)
        {
            throw new InvalidOperationException("The files are incomplete; assemble them from the journal.");
        }

        if (writeMore is not null)
        {
            await writeMore(_errors).ConfigureAwait(false);
        }

        await _errors.CommitAsync(cancellationToken).ConfigureAwait(false);
        await _output.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (_output.LineCount, _errors.LineCount);
    }

    /// <summary>Deletes the temporary files unless committed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _errors.DisposeAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
    }
}
