namespace Sluice.AI;

/// <summary>What the chat and embedding concurrency layers share: waiting for a slot and reporting the attempt.</summary>
internal sealed class ConcurrencySlot(ConcurrencyLimit limit, UsageLedger? ledger, TimeProvider time, string kind)
{
    public ConcurrencyLimit Limit => limit;

    /// <summary>Waits for a slot; returns the timestamp the attempt started at.</summary>
    public async ValueTask<long> EnterAsync(CancellationToken cancellationToken)
    {
        long waitStarted = time.GetTimestamp();
        await limit.AcquireAsync(cancellationToken).ConfigureAwait(false);
        long started = time.GetTimestamp();
        AiMetrics.QueueWait.Record(time.GetElapsedTime(waitStarted, started).TotalSeconds, new KeyValuePair<string, object?>("stage", "concurrency"));
        return started;
    }

    public void Succeeded(long started, long? outputUnits)
    {
        ledger?.RecordAttempt(kind, true);
        limit.Release(new ConcurrencyFeedback(time.GetElapsedTime(started), Succeeded: true, Overloaded: false, outputUnits));
    }

    public void Failed(long started, Exception error, CancellationToken callerToken)
    {
        ledger?.RecordAttempt(kind, false);
        bool overloaded = FailureClassifier.Classify(error, callerToken) == FailureKind.Overloaded;
        limit.Release(new ConcurrencyFeedback(time.GetElapsedTime(started), Succeeded: false, overloaded));
    }
}
