namespace Sluice.Rag;

/// <summary>Settings for <see cref="WebPageReader"/>. Every property has a documented, validated default.</summary>
public sealed record WebPageReaderOptions
{
    /// <summary>Gets how many pages are fetched at once, all hosts together.</summary>
    /// <value>Default 16. Positive.</value>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Gets how many requests one host (host name and port) receives at once: a site is never hammered
    /// however many of its URLs are in the list.</summary>
    /// <value>Default 2. Positive.</value>
    public int MaxConcurrencyPerHost { get; init; } = 2;

    /// <summary>Gets the longest one request may take, from sending it to the last byte of its body (a slow trickle is
    /// cut too). Each redirect is a new request with a timeout of its own; waiting for a host's slot does not count.</summary>
    /// <value>Default 30 s. Positive.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how many redirects one page may follow; a redirect back to an address already visited is a loop
    /// and fails at once.</summary>
    /// <value>Default 5. Zero or more (zero: a redirect is a failure).</value>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Gets the largest body read, in bytes: a larger <c>Content-Length</c> is refused before the body is
    /// read, and a body without one stops being read at this size.</summary>
    /// <value>Default 10 MiB. Positive.</value>
    public long MaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Gets the media types accepted (compared without parameters, ignoring case); any other is refused before
    /// the body is read.</summary>
    /// <value>Default <c>text/html</c>, <c>application/xhtml+xml</c>, <c>text/plain</c>, <c>text/markdown</c>. Not empty.</value>
    public IReadOnlyList<string> AllowedContentTypes { get; init; } = ["text/html", "application/xhtml+xml", "text/plain", "text/markdown"];

    /// <summary>Gets the <c>User-Agent</c> sent.</summary>
    /// <value>Default <c>Sluice-WebPageReader/1.0</c>. Not empty.</value>
    public string UserAgent { get; init; } = "Sluice-WebPageReader/1.0";

    /// <summary>Gets the clock for timeouts and the <c>fetched_at</c> time.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public WebPageReaderOptions Validate()
    {
        Require(MaxConcurrency >= 1, nameof(MaxConcurrency), MaxConcurrency, "at least 1");
        Require(MaxConcurrencyPerHost >= 1, nameof(MaxConcurrencyPerHost), MaxConcurrencyPerHost, "at least 1");
        Require(Timeout > TimeSpan.Zero, nameof(Timeout), Timeout, "positive");
        Require(MaxRedirects >= 0, nameof(MaxRedirects), MaxRedirects, "zero or more");
        Require(MaxBytes >= 1, nameof(MaxBytes), MaxBytes, "at least 1");
        if (AllowedContentTypes is null || AllowedContentTypes.Count == 0 || AllowedContentTypes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"WebPageReaderOptions.{nameof(AllowedContentTypes)} must list at least one media type, with no empty entry.", nameof(AllowedContentTypes));
        }

        if (string.IsNullOrWhiteSpace(UserAgent))
        {
            throw new ArgumentException($"WebPageReaderOptions.{nameof(UserAgent)} must not be empty.", nameof(UserAgent));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException($"WebPageReaderOptions.{nameof(TimeProvider)} must not be null.", nameof(TimeProvider));
        }

        return this;
    }

    private static void Require(bool condition, string name, object value, string expected)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"WebPageReaderOptions.{name} must be {expected}; it was {value}.");
        }
    }
}
