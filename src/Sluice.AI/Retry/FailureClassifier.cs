using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Sluice.AI;

/// <summary>
/// Decides whether a failed attempt is worth retrying and how long the provider asked to wait, from the exception
/// the OpenAI SDK (<see cref="ClientResultException"/>), <see cref="HttpClient"/> or the Sluice layers raised.
/// </summary>
public static class FailureClassifier
{
    /// <summary>The longest delay read from a response: a larger or absurd value (a proxy's, a bug's) is cut to it, so it
    /// can never overflow a clock; the layers clamp further to <see cref="SluiceRetryOptions.MaxDelay"/>.</summary>
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromDays(1);

    /// <summary>Classifies <paramref name="error"/>.</summary>
    /// <param name="error">The attempt's exception.</param>
    /// <param name="callerToken">The caller's token: a cancellation it caused is never retried.</param>
    /// <returns>How to treat the failure.</returns>
    public static FailureKind Classify(Exception error, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (callerToken.IsCancellationRequested && error is OperationCanceledException)
        {
            return FailureKind.Cancelled;
        }

        switch (error)
        {
            case AttemptTimeoutException:
                return FailureKind.Transient; // a fault; the adaptive limit judges it with latency (ConcurrencyFeedback.TimedOut)
            case RateLimitRejectedException:
                return FailureKind.Transient;
            case ClientResultException result:
                return ClassifyStatus(result.Status, Header(result, "x-should-retry"), result.Message);
            case FailedResponseException failed:
                return ClassifyStatus(failed.Status, failed.Header("x-should-retry"), failed.QuotaExhausted ? "insufficient_quota" : failed.Message);
            case HttpRequestException http when http.StatusCode is { } status:
                return ClassifyStatus((int)status, null, http.Message);
            case HttpRequestException:
            case IOException:
            case System.Net.Sockets.SocketException:
            case JsonException:
            case TimeoutException:
                return FailureKind.Transient;
            case OperationCanceledException:
                return FailureKind.Transient; // not the caller's: a client-side network timeout
            default:
                return error.InnerException is { } inner && inner != error ? Classify(inner, callerToken) : FailureKind.Permanent;
        }
    }

    /// <summary>The delay the provider asked for: <c>retry-after-ms</c>, else <c>Retry-After</c> (seconds or an HTTP date).</summary>
    /// <param name="error">The attempt's exception.</param>
    /// <param name="now">The current time, for HTTP-date values.</param>
    /// <returns>The delay, or <see langword="null"/> when the provider did not say.</returns>
    public static TimeSpan? RetryAfter(Exception error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is RateLimitRejectedException rejected)
        {
            return rejected.RetryAfter;
        }

        if (error is FailedResponseException failed)
        {
            return RetryAfter(failed.Header, now);
        }

        if (error is not ClientResultException result)
        {
            return error.InnerException is { } inner ? RetryAfter(inner, now) : null;
        }

        return RetryAfter(name => Header(result, name), now);
    }

    /// <summary>The delay a response asked for: <c>retry-after-ms</c>, else <c>Retry-After</c> (seconds or an HTTP date).</summary>
    /// <param name="header">Looks up one response header by name (null when absent).</param>
    /// <param name="now">The current time, for HTTP-date values.</param>
    /// <returns>The delay, or <see langword="null"/> when the response did not say.</returns>
    public static TimeSpan? RetryAfter(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (double.TryParse(header("retry-after-ms"), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && ms >= 0 && double.IsFinite(ms))
        {
            return TimeSpan.FromMilliseconds(Math.Min(ms, LongestRetryAfter.TotalMilliseconds));
        }

        string? value = header("retry-after");
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && double.IsFinite(seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, LongestRetryAfter.TotalSeconds));
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delay = date - now;
            return delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > LongestRetryAfter ? LongestRetryAfter : delay;
        }

        return null;
    }

    /// <summary>Whether <paramref name="error"/> is an HTTP 429.</summary>
    /// <param name="error">The attempt's exception.</param>
    /// <returns><see langword="true"/> for a 429 response, also when wrapped in another exception.</returns>
    public static bool IsTooManyRequests(Exception error) => error switch
    {
        ClientResultException result => result.Status == 429,
        HttpRequestException http => http.StatusCode == HttpStatusCode.TooManyRequests,
        _ => error.InnerException is { } inner && inner != error && IsTooManyRequests(inner),
    };

    private static FailureKind ClassifyStatus(int status, string? shouldRetry, string message)
    {
        if (string.Equals(shouldRetry, "false", StringComparison.OrdinalIgnoreCase))
        {
            return FailureKind.Permanent;
        }

        bool providerSaysRetry = string.Equals(shouldRetry, "true", StringComparison.OrdinalIgnoreCase);
        return status switch
        {
            0 => FailureKind.Transient, // no response at all
            429 when message.Contains("insufficient_quota", StringComparison.OrdinalIgnoreCase) => FailureKind.Permanent,
            429 or 503 => FailureKind.Overloaded,
            408 => FailureKind.Transient,
            409 => providerSaysRetry ? FailureKind.Transient : FailureKind.Permanent,
            >= 500 => FailureKind.Transient,
            _ => providerSaysRetry ? FailureKind.Transient : FailureKind.Permanent,
        };
    }

    private static string? Header(ClientResultException result, string name)
    {
        PipelineResponse? response = result.GetRawResponse();
        return response is not null && response.Headers.TryGetValue(name, out string? value) ? value : null;
    }
}
