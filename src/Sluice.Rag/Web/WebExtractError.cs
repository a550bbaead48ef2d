namespace Sluice.Rag;

/// <summary>One URL an extract could not read: the API's own per-URL error, or the failure of the call that carried it.</summary>
/// <param name="Url">The URL.</param>
/// <param name="ErrorType">The API's error type (for example <c>fetch_error</c>), or <see cref="CallFailedType"/> when
/// the call that carried the URL failed after its retries.</param>
/// <param name="StatusCode">The HTTP status the API reported for the page, or that the failed call got; <see langword="null"/> when none.</param>
/// <param name="Message">What went wrong, in words.</param>
/// <param name="ExtractId">The id of the call that reported it, or <see langword="null"/> when the call failed.</param>
/// <param name="Exception">The call's exception when the call failed (a <see cref="ParallelWebException"/>), else <see langword="null"/>.</param>
public sealed record WebExtractError(string Url, string ErrorType, int? StatusCode, string Message, string? ExtractId, Exception? Exception)
{
    /// <summary>The <see cref="ErrorType"/> of a URL whose extract call failed after its retries.</summary>
    public const string CallFailedType = "call_failed";
}
