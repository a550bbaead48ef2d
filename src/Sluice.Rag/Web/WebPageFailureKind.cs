namespace Sluice.Rag;

/// <summary>Why <see cref="WebPageReader"/> could not read a page.</summary>
public enum WebPageFailureKind
{
    /// <summary>The URL (or a redirect's <c>Location</c>) is not an absolute http or https address.</summary>
    InvalidUrl,

    /// <summary>A request took longer than <see cref="WebPageReaderOptions.Timeout"/>, its body included.</summary>
    Timeout,

    /// <summary>The body is larger than <see cref="WebPageReaderOptions.MaxBytes"/>.</summary>
    TooLarge,

    /// <summary>More redirects than <see cref="WebPageReaderOptions.MaxRedirects"/>.</summary>
    TooManyRedirects,

    /// <summary>A redirect led back to an address already visited.</summary>
    RedirectLoop,

    /// <summary>The media type is not in <see cref="WebPageReaderOptions.AllowedContentTypes"/> (or is missing).</summary>
    UnsupportedContentType,

    /// <summary>The server answered with an error status (or a redirect without <c>Location</c>).</summary>
    HttpStatus,

    /// <summary>The connection failed or broke.</summary>
    Network,
}
