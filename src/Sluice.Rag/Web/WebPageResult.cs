namespace Sluice.Rag;

/// <summary>The outcome of reading one URL: a document, or why there is none.</summary>
/// <param name="Url">The URL asked for, as given.</param>
/// <param name="Document">The page, or <see langword="null"/> when it failed.</param>
/// <param name="Failure">Why it failed, or <see langword="null"/> when it succeeded.</param>
public sealed record WebPageResult(string Url, WebDocument? Document, WebPageFailure? Failure)
{
    /// <summary>Gets whether the page was read.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>Why a page could not be read.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="Message">What happened, with the address and the limit involved.</param>
/// <param name="StatusCode">The HTTP status when one came, else <see langword="null"/>.</param>
public sealed record WebPageFailure(WebPageFailureKind Kind, string Message, int? StatusCode = null);
