namespace Sluice.Rag;

/// <summary>Settings for <see cref="ParallelWebClient"/>. Every property has a documented, validated default except
/// <see cref="ApiKey"/>. A class rather than a record, so that no generated <c>ToString</c> ever prints the key.</summary>
public sealed class ParallelWebOptions
{
    /// <summary>Gets the API's base address; requests go to <c>{BaseAddress}v1beta/search</c> and <c>…/extract</c>.</summary>
    /// <value>Default <c>https://api.parallel.ai/</c>. Absolute http or https.</value>
    public Uri BaseAddress { get; init; } = new("https://api.parallel.ai/");

    /// <summary>Gets the API key, sent as <c>x-api-key</c> and never printed, logged or put in an error message.
    /// Read it from an environment variable you name (<see cref="ParallelWebOptions.FromEnvironment"/>).</summary>
    /// <value>Required: not empty.</value>
    public string ApiKey { get; init; } = "";

    /// <summary>Gets how failed calls are retried: Sluice's rules (<c>AddSluiceRetry</c>): transient failures and 429s
    /// only, exponential backoff with jitter, <c>Retry-After</c> honoured.</summary>
    /// <value>Default <c>new SluiceRetryOptions()</c> (6 attempts).</value>
    public Sluice.AI.SluiceRetryOptions Retry { get; init; } = new();

    /// <summary>Gets the longest one attempt may take; a slower attempt is cut and counts as a transient failure.</summary>
    /// <value>Default 60 s. Positive.</value>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how many URLs one extract call carries; more URLs are split into several calls.</summary>
    /// <value>Default 10. From 1 to 1,000.</value>
    public int UrlsPerExtract { get; init; } = 10;

    /// <summary>Gets how many extract calls of one <see cref="ParallelWebClient.ExtractAsync"/> run at once.</summary>
    /// <value>Default 4. Positive.</value>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Gets the <see cref="System.Net.Http.HttpClient"/> to send through, or <see langword="null"/> for a shared default.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Gets the clock for retry delays and attempt timeouts.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Options with the API key read from an environment variable.</summary>
    /// <param name="variable">The variable's name.</param>
    /// <returns>Default options with <see cref="ApiKey"/> set.</returns>
    /// <exception cref="InvalidOperationException">The variable is unset or empty; the message names it (never a value).</exception>
    public static ParallelWebOptions FromEnvironment(string variable = "PARALLEL_API_KEY")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        string? key = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(key)
            ? throw new InvalidOperationException($"The environment variable {variable} is not set; it must hold the Parallel Web Systems API key.")
            : new ParallelWebOptions { ApiKey = key };
    }

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it (and never shows the key).</exception>
    public ParallelWebOptions Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || (BaseAddress.Scheme != Uri.UriSchemeHttp && BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"ParallelWebOptions.{nameof(BaseAddress)} must be an absolute http or https address.", nameof(BaseAddress));
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException($"ParallelWebOptions.{nameof(ApiKey)} must not be empty.", nameof(ApiKey));
        }

        if (Retry is null)
        {
            throw new ArgumentException($"ParallelWebOptions.{nameof(Retry)} must not be null.", nameof(Retry));
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, $"ParallelWebOptions.{nameof(AttemptTimeout)} must be positive; it was {AttemptTimeout}.");
        }

        if (UrlsPerExtract is < 1 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(UrlsPerExtract), UrlsPerExtract, $"ParallelWebOptions.{nameof(UrlsPerExtract)} must be from 1 to 1,000; it was {UrlsPerExtract}.");
        }

        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, $"ParallelWebOptions.{nameof(MaxConcurrency)} must be at least 1; it was {MaxConcurrency}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException($"ParallelWebOptions.{nameof(TimeProvider)} must not be null.", nameof(TimeProvider));
        }

        return this;
    }
}
