using System.Collections.Concurrent;

namespace Sluice.Rag;

/// <summary>The counts and errors of one ingestion run, updated from every worker with <see cref="Interlocked"/>,
/// and the progress reports made from them.</summary>
internal sealed class IngestionCounters(IProgress<IngestionProgress>? progress, TimeProvider time)
{
    private readonly ConcurrentQueue<IngestionError> _errors = new();
    private readonly long _started = time.GetTimestamp();
    private long _errorCount;
    private static readonly TimeSpan ReadReportInterval = TimeSpan.FromMilliseconds(200);
    private IngestionError? _lastError;
    private long _lastReadReport;

#pragma warning disable SA1401, CA1051 // fields, so workers can pass them by reference to Interlocked
    public long Read;
    public long Split;
    public long Unchanged;
    public long Written;
    public long Chunks;
    public long CacheHits;
    public long TextsEmbedded;
    public long Calls;
    public long ChunksWritten;
    public long Pruned;
#pragma warning restore SA1401, CA1051

    public void Fail(IngestionError error)
    {
        _errors.Enqueue(error);
        Interlocked.Increment(ref _errorCount);
        Volatile.Write(ref _lastError, error);
        Report();
    }

    public void Report() => progress?.Report(Snapshot());

    /// <summary>Reports while documents are read and split (between groups), at most every 0.2 s.</summary>
    public void ReportNowAndThen()
    {
        if (progress is null)
        {
            return;
        }

        long now = time.GetTimestamp();
        long last = Interlocked.Read(ref _lastReadReport);
        if (time.GetElapsedTime(last, now) >= ReadReportInterval && Interlocked.CompareExchange(ref _lastReadReport, now, last) == last)
        {
            progress.Report(Snapshot());
        }
    }

    /// <summary>Reports the final counts and returns them with every error.</summary>
    public IngestionReport Finish()
    {
        var totals = Snapshot();
        progress?.Report(totals);
        return new IngestionReport(totals, [.. _errors]);
    }

    private IngestionProgress Snapshot() => new()
    {
        DocumentsRead = Interlocked.Read(ref Read),
        DocumentsSplit = Interlocked.Read(ref Split),
        DocumentsUnchanged = Interlocked.Read(ref Unchanged),
        DocumentsWritten = Interlocked.Read(ref Written),
        Errors = Interlocked.Read(ref _errorCount),
        Chunks = Interlocked.Read(ref Chunks),
        CacheHits = Interlocked.Read(ref CacheHits),
        TextsEmbedded = Interlocked.Read(ref TextsEmbedded),
        EmbeddingCalls = Interlocked.Read(ref Calls),
        ChunksWritten = Interlocked.Read(ref ChunksWritten),
        DocumentsPruned = Interlocked.Read(ref Pruned),
        Elapsed = time.GetElapsedTime(_started),
        LastError = Volatile.Read(ref _lastError),
    };
}
