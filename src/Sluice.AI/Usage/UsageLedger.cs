namespace Sluice.AI;

/// <summary>
/// Thread-safe totals for one client: calls, attempts, retries, 429s, and tokens in and out as the provider
/// reported them. Every Sluice layer of the client reports into it; get it with
/// <c>client.GetService&lt;UsageLedger&gt;()</c>. The same numbers go to the <c>Sluice</c> meter.
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

    internal void RecordCall(bool succeeded)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
    }

    internal void RecordAttempt(string kind, bool succeeded)
    {
        Interlocked.Increment(ref _attempts);
        AiMetrics.Requests.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure"));
    }

    internal void RecordRetry()
    {
        Interlocked.Increment(ref _retries);
        AiMetrics.Retries.Add(1);
    }

    internal void RecordRateLimited()
    {
        Interlocked.Increment(ref _rateLimited);
        AiMetrics.RateLimited.Add(1);
    }

    internal void RecordTokens(long? input, long? output)
    {
        if (input is > 0)
        {
            Interlocked.Add(ref _inputTokens, input.Value);
            AiMetrics.InputTokens.Add(input.Value);
        }

        if (output is > 0)
        {
            Interlocked.Add(ref _outputTokens, output.Value);
            AiMetrics.OutputTokens.Add(output.Value);
        }
    }
}
