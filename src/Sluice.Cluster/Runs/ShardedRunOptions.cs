using System.Globalization;
using Sluice.AI;

namespace Sluice.Cluster.Runs;

/// <summary>
/// A <c>sluice run</c> spread over a cluster: the input file and output file (both on a path every silo can read and
/// write), the endpoint, and how the input is cut into shards. Every worker builds its own HTTP client from these
/// settings; the API key never travels: each worker reads it from its own environment variable
/// <see cref="ApiKeyVariable"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardedRunOptions")]
public sealed record ShardedRunOptions
{
    /// <summary>The default number of input lines in a shard: 500.</summary>
    public const int DefaultShardLines = 500;

    /// <summary>Gets the input file (OpenAI's Batch API format), full path on the shared file system.</summary>
    [Id(0)]
    public required string InputPath { get; init; }

    /// <summary>Gets the output file for successes; the run directory <c>&lt;output&gt;.sluice/</c> sits beside it and
    /// holds the shard table and every shard's files. Its full path names the run.</summary>
    [Id(1)]
    public required string OutputPath { get; init; }

    /// <summary>Gets the errors file.</summary>
    /// <value>Default <see langword="null"/>: the output path with <c>.errors.jsonl</c> in place of <c>.jsonl</c>, as <c>sluice run</c>.</value>
    [Id(2)]
    public string? ErrorsPath { get; init; }

    /// <summary>Gets the API base, <c>/v1</c> included (as <c>sluice run --base-url</c>).</summary>
    [Id(3)]
    public required string BaseUrl { get; init; }

    /// <summary>Gets the name of the environment variable that holds the API key on every worker.</summary>
    /// <value>Default <see langword="null"/>: no key is sent (a local server that needs none).</value>
    [Id(4)]
    public string? ApiKeyVariable { get; init; }

    /// <summary>Gets the attempts per request, the first and every retry.</summary>
    /// <value>Default 6, as <c>sluice run --max-attempts</c>.</value>
    [Id(5)]
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Gets how long one attempt may take.</summary>
    /// <value>Default 60 seconds, as <c>sluice run --timeout</c>.</value>
    [Id(6)]
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the requests each worker keeps in flight.</summary>
    /// <value>Default <see langword="null"/>: the adaptive limit, learned per worker.</value>
    [Id(7)]
    public int? MaxConcurrency { get; init; }

    /// <summary>Gets the requests per minute the cluster's budget allows, for all workers together.</summary>
    /// <value>Default <see langword="null"/>: learned from the provider's headers and 429s.</value>
    [Id(8)]
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the tokens per minute the cluster's budget allows, for all workers together.</summary>
    /// <value>Default <see langword="null"/>: learned.</value>
    [Id(9)]
    public int? TokensPerMinute { get; init; }

    /// <summary>Gets the number of non-blank input lines in a shard (the last shard may hold fewer).</summary>
    /// <value>Default <see cref="DefaultShardLines"/> (500): small enough that a lost shard costs little, large enough
    /// that the coordinator sees a handful of calls per shard, not per item.</value>
    [Id(10)]
    public int ShardLines { get; init; } = DefaultShardLines;

    /// <summary>Gets how long a shard lease lasts without a renewal; the holder renews at half of it.</summary>
    /// <value>Default 30 seconds. A holder whose silo is declared dead loses its lease at once, whatever is left of it.</value>
    [Id(11)]
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets whether each shard's journal is flushed to disk (fsync) before an item counts as done.</summary>
    /// <value>Default <see langword="true"/>, as <c>sluice run</c> without <c>--no-fsync</c>.</value>
    [Id(12)]
    public bool FlushToDisk { get; init; } = true;

    /// <summary>Gets the input tokens per minute the cluster's budget allows, for all workers together (Anthropic's ITPM).</summary>
    /// <value>Default <see langword="null"/>: no separate input-token limit.</value>
    [Id(13)]
    public int? InputTokensPerMinute { get; init; }

    /// <summary>Gets the output tokens per minute the cluster's budget allows, for all workers together (Anthropic's OTPM).</summary>
    /// <value>Default <see langword="null"/>: no separate output-token limit.</value>
    [Id(14)]
    public int? OutputTokensPerMinute { get; init; }

    /// <summary>The settings that change results, for each shard's manifest, worded as <c>sluice run</c> words them.</summary>
    internal IReadOnlyDictionary<string, string?> ManifestSettings() => new Dictionary<string, string?>
    {
        ["base URL"] = new Uri(BaseUrl).AbsoluteUri,
        ["API key variable"] = ApiKeyVariable ?? "(none)",
        ["max attempts"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
        ["attempt timeout (s)"] = AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["skip invalid lines"] = "no",
    };

    /// <summary>The HTTP client's options, as <c>sluice run</c> builds them from the same settings; the budget is the
    /// lane's share of the cluster's (<paramref name="budgets"/>).</summary>
    internal SluiceClientOptions ClientOptions(ProviderLaneRegistry lanes, CapacityLeaser budgets)
    {
        var options = new SluiceClientOptions { Lanes = lanes };
        options.RateBudget.Leaser = budgets;
        options.Concurrency.MaxConcurrency = MaxConcurrency;
        options.RateBudget.RequestsPerMinute = RequestsPerMinute;
        options.RateBudget.TokensPerMinute = TokensPerMinute;
        options.RateBudget.InputTokensPerMinute = InputTokensPerMinute;
        options.RateBudget.OutputTokensPerMinute = OutputTokensPerMinute;
        options.Retry.MaxAttempts = MaxAttempts;
        options.AttemptTimeout.Timeout = AttemptTimeout;
        return options;
    }

    /// <summary>Checks every setting; the message names the one out of range.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public ShardedRunOptions Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InputPath, nameof(InputPath));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputPath, nameof(OutputPath));
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            throw new ArgumentException($"{nameof(ShardedRunOptions)}.{nameof(BaseUrl)} must be an absolute http or https address without credentials or a query string.", nameof(BaseUrl));
        }

        if (ApiKeyVariable is not null && !System.Text.RegularExpressions.Regex.IsMatch(ApiKeyVariable, "^[A-Za-z_][A-Za-z0-9_]*$"))
        {
            throw new ArgumentException($"{nameof(ShardedRunOptions)}.{nameof(ApiKeyVariable)} must be the NAME of an environment variable (letters, digits, _); the value given is not one and is not shown.", nameof(ApiKeyVariable));
        }

        Positive(MaxAttempts, nameof(MaxAttempts));
        Positive(ShardLines, nameof(ShardLines));
        if (MaxConcurrency is { } concurrency)
        {
            Positive(concurrency, nameof(MaxConcurrency));
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout, $"{nameof(ShardedRunOptions)}.{nameof(AttemptTimeout)} must be positive.");
        }

        if (LeaseDuration < TimeSpan.FromMilliseconds(200))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, $"{nameof(ShardedRunOptions)}.{nameof(LeaseDuration)} must be at least 200 ms; it was {LeaseDuration}.");
        }

        return this;

        static void Positive(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{nameof(ShardedRunOptions)}.{name} must be at least 1; it was {value}.");
            }
        }
    }
}
