namespace Sluice.BatchFiles;

/// <summary>
/// The codes of a <see cref="BatchResultError"/> (a request that got no HTTP answer). OpenAI's codes where one
/// fits; Sluice's own start with <c>sluice_</c>.
/// </summary>
public static class BatchErrorCodes
{
    /// <summary>OpenAI's: every attempt timed out.</summary>
    public const string RequestTimeout = "request_timeout";

    /// <summary>OpenAI's: the run was cancelled before the request completed.</summary>
    public const string BatchCancelled = "batch_cancelled";

    /// <summary>Sluice's: the connection failed (refused, reset, DNS) on the last attempt and no HTTP answer came.</summary>
    public const string ConnectionFailed = "sluice_connection_failed";

    /// <summary>Sluice's: the request failed without an HTTP answer for another reason (the message names it).</summary>
    public const string RequestFailed = "sluice_request_failed";

    /// <summary>Sluice's: the input line was invalid and skipped (<c>--skip-invalid</c>); the message says why.</summary>
    public const string InvalidInputLine = "sluice_invalid_input_line";

    /// <summary>Sluice's: the run stopped admitting work because the estimated spend would pass its limit.</summary>
    public const string CostLimitReached = "sluice_cost_limit_reached";
}
