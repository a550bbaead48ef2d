namespace Sluice.AI;

/// <summary>What the chat and embedding concurrency layers share: waiting for a slot, reporting the attempt to the
/// limit (so an adaptive limit learns) and to the <c>Sluice</c> meter.</summary>
internal sealed class ConcurrencySlot(ConcurrencyLimit limit, UsageLedger? ledger, TimeProvider time, string kind)
{
    public ConcurrencyLimit Limit => limit;

    /// <summary>Waits for a slot; returns the timestamp the attempt started at.</summary>
    public async ValueTask<long> EnterAsync(CancellationToken cancellationToken)
    {
        long waitStarted = time.GetTimestamp();
        await limit.AcquireAsync(cancellationToken).ConfigureAwait(false);
        long started = time.GetTimestamp();
        AiMetrics.Waited(time.GetElapsedTime(waitStarted, started), "concurrency");
        AiMetrics.Limit(limit.CurrentLimit);
        return started;
    }

    public void Succeeded(long started, SlotWait wait, long? outputUnits)
    {
        AiMetrics.Attempt(ledger, kind, succeeded: true);
        limit.Release(new ConcurrencyFeedback(Latency(started, wait), Succeeded: true, Overloaded: false, outputUnits));
    }

    public void Failed(long started, SlotWait wait, Exception error, CancellationToken callerToken)
    {
        AiMetrics.Attempt(ledger, kind, succeeded: false);
        bool overloaded = FailureClassifier.Classify(error, callerToken) == FailureKind.Overloaded;
        bool timedOut = error is AttemptTimeoutException;
        limit.Release(new ConcurrencyFeedback(Latency(started, wait), Succeeded: false, overloaded, TimedOut: timedOut));
    }

    /// <summary>The consumer stopped a stream early: the slot is free again, but the attempt says nothing about capacity.</summary>
    public void Abandoned(long started, SlotWait wait) => Failed(started, wait, new OperationCanceledException(), new CancellationToken(true));

    /// <summary>How long the provider took: the slot's holding time less the rate-budget wait inside it.</summary>
    private TimeSpan Latency(long started, SlotWait wait)
    {
        TimeSpan held = time.GetElapsedTime(started) - wait.Waited;
        return held > TimeSpan.Zero ? held : TimeSpan.Zero;
    }
}
