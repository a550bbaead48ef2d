namespace Sluice.AI;

/// <summary>
/// Thread-safe totals for one client: calls, attempts, retries, 429s, and tokens in and out as the provider
/// reported them. A stack built with <c>UseSluiceThroughput</c> has one, and every layer of it reports into it; get it
/// with <c>client.GetService&lt;UsageLedger&gt;()</c>. The layers send the same counts to the <c>Sluice</c> meter
/// whether or not a ledger is there.
/// </summary>
public sealed class UsageLedger
{
    private long _calls;
    private long _succeeded;
    private long _failed;
    private long _attempts;
    private long _retries;
    private long _rateLimited;
    private long _inputTokens;
    private long _outputTokens;

    /// <summary>Gets the calls made through the client (each may take several attempts).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Gets the calls that succeeded.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Gets the calls that failed after every attempt.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Gets the attempts sent to the provider.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Gets the attempts that were retried.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Gets the 429 responses received.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Gets the input tokens the provider reported.</summary>
    public long InputTokens => Interlocked.Read(ref _inputTokens);

    /// <summary>Gets the output tokens the provider reported.</summary>
    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    /// <inheritdoc />
    public override string ToString() =>
        $"calls {Calls} (ok {Succeeded}, failed {Failed}), attempts {Attempts}, retries {Retries}, 429s {RateLimited}, tokens in {InputTokens} out {OutputTokens}";

    internal void CountCall(bool succeeded)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
    }

    internal void CountAttempt() => Interlocked.Increment(ref _attempts);

    internal void CountRetry() => Interlocked.Increment(ref _retries);

    internal void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    internal void CountTokens(long? input, long? output)
    {
        if (input is > 0)
        {
            Interlocked.Add(ref _inputTokens, input.Value);
        }

        if (output is > 0)
        {
            Interlocked.Add(ref _outputTokens, output.Value);
        }
    }
}
