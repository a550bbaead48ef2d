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
    /// <summary>The number of input lines in a shard when <see cref="ShardLines"/> is not set and the run is long
    /// enough: 500.</summary>
    public const int DefaultShardLines = 500;

    /// <summary>The number of shards that a run too short for <see cref="AutomaticShards"/> shards of
    /// <see cref="DefaultShardLines"/> is cut into when <see cref="ShardLines"/> is not set: 32 (about ten for each of
    /// three workers, so the last shard is a small share of each one's work).</summary>
    public const int AutomaticShards = 32;

    /// <summary>The fewest lines of a shard that <see cref="ShardLines"/>, not set, chooses before the run's tail (whose
    /// shards shrink to <see cref="MinimumTailShardLines"/>): 50 (a shard costs a lease, a copy of its lines, a journal
    /// and a commit; below this a run's shards would cost more than they balance).</summary>
    public const int MinimumAutomaticShardLines = 50;

    /// <summary>How the shards shrink at the end of a run when <see cref="ShardLines"/> is not set: each shard holds at
    /// most this share of the lines left, 1/8 (guided scheduling), so the last shards are small and the workers finish
    /// together; the shrinking begins when fewer lines are left than 8 shards of the run's size.</summary>
    public const int ShrinkingTailDivisor = 8;

    /// <summary>The fewest lines of a shard at the end of a run when <see cref="ShardLines"/> is not set: 32 (two rounds
    /// of 16 requests in flight; a shard's lease, copy, journal and commit are hidden behind the shard before it).</summary>
    public const int MinimumTailShardLines = 32;

    /// <summary>The lines per shard for a run of <paramref name="lines"/> lines when <see cref="ShardLines"/> is not set,
    /// before its tail shrinks: <see cref="DefaultShardLines"/>, or for a short run what cuts it into
    /// <see cref="AutomaticShards"/>, but at least <see cref="MinimumAutomaticShardLines"/>.</summary>
    internal static int AutomaticShardLines(long lines) =>
        (int)Math.Clamp((lines + AutomaticShards - 1) / AutomaticShards, MinimumAutomaticShardLines, DefaultShardLines);

    /// <summary>The size of the next shard when <paramref name="left"/> lines are left to cut and the run's shards are
    /// <paramref name="shardLines"/> lines (<see cref="AutomaticShardLines"/>): that size until fewer lines are left than
    /// <see cref="ShrinkingTailDivisor"/> such shards, then 1/<see cref="ShrinkingTailDivisor"/> of what is left, but at
    /// least <see cref="MinimumTailShardLines"/>; the last two shards share what is left when a shard of the minimum
    /// would leave fewer than the minimum behind (no shard of a line or two at the end).</summary>
    internal static int NextAutomaticShardLines(long left, int shardLines)
    {
        long lines = Math.Clamp((left + ShrinkingTailDivisor - 1) / ShrinkingTailDivisor, Math.Min(MinimumTailShardLines, shardLines), shardLines);
        if (left <= lines)
        {
            return (int)left;
        }

        return (int)(left - lines < MinimumTailShardLines ? (left + 1) / 2 : lines);
    }

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

    /// <summary>Gets the number of non-blank input lines in a shard (the last shard may hold fewer), or
    /// <see langword="null"/> to let the run's length decide.</summary>
    /// <value>Default <see langword="null"/>: shards of <see cref="DefaultShardLines"/> (500) lines — small enough that
    /// a lost shard costs little, large enough that the coordinator sees a handful of calls per shard, not per item —
    /// except for a run too short to make <see cref="AutomaticShards"/> (32) such shards, which is cut into 32 shards of
    /// at least <see cref="MinimumAutomaticShardLines"/> (50) lines, so that its workers can balance it: with few large
    /// shards, one shard more on one worker than on another is a large share of a short run. In both, the shards at the
    /// end shrink (<see cref="ShrinkingTailDivisor"/>, down to <see cref="MinimumTailShardLines"/> lines), so the
    /// workers' last shards end close together.</value>
    [Id(10)]
    public int? ShardLines { get; init; }

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

    /// <summary>Gets whether invalid input lines are listed in the errors file and the valid ones run, as
    /// <c>sluice run --skip-invalid</c>. The coordinator validates the whole file once (duplicates and a second model
    /// across shards included), leaves the invalid lines out of every shard, and writes each invalid line that has a
    /// <c>custom_id</c> of its own to the errors file once, with the code
    /// <see cref="Sluice.BatchFiles.BatchErrorCodes.InvalidInputLine"/>.</summary>
    /// <value>Default <see langword="false"/>: a file with an invalid line is refused before anything is sent.</value>
    [Id(15)]
    public bool SkipInvalid { get; init; }

    /// <summary>Gets whether this submission sends again the items whose result failed, as
    /// <c>sluice run --resume --retry-errors</c>: every committed shard with lines in its errors file runs again under a
    /// new epoch that resends only those items, and the final files are assembled again. Not part of what identifies the
    /// run: it may differ from one submission of the same run to the next.</summary>
    /// <value>Default <see langword="false"/>.</value>
    [Id(16)]
    public bool RetryErrors { get; init; }

    /// <summary>Gets the response cache directory, as <c>sluice run --cache</c>: a path every worker shares, so an answer
    /// one worker stored serves the others. Not part of what identifies the run.</summary>
    /// <value>Default <see langword="null"/>: no cache.</value>
    [Id(17)]
    public string? CacheDirectory { get; init; }

    /// <summary>Gets the spend, in dollars by <see cref="Price"/>, past which no request of the whole run is admitted,
    /// as <c>sluice run --max-cost</c> but for all workers together: each shard admits a request only while the spend
    /// of the other shards (as they last reported it to the coordinator) plus its own spend and reservations plus the
    /// request's expected cost stays within it. Items not admitted are listed in the errors file with
    /// <see cref="Sluice.BatchFiles.BatchErrorCodes.CostLimitReached"/>; a later submission with another limit sends
    /// them. Not part of what identifies the run.</summary>
    /// <value>Default <see langword="null"/>: no limit. Requires <see cref="Price"/>.</value>
    [Id(18)]
    public decimal? MaxCost { get; init; }

    /// <summary>Gets the price of the run's model (a run has one model), for costs and <see cref="MaxCost"/>. Not part
    /// of what identifies the run.</summary>
    /// <value>Default <see langword="null"/>: costs are unknown.</value>
    [Id(19)]
    public ShardedRunPrice? Price { get; init; }

    /// <summary>Gets how many times in a row a shard's lease may lapse (its holder's silo died, or the holder stopped
    /// renewing, as a worker that fails on the shard does) before the shard is abandoned: it is not leased again, its
    /// journalled results are kept, and its unfinished items go to the errors file with the code
    /// <see cref="ShardedRunErrorCodes.ShardAbandoned"/>, so the run completes.</summary>
    /// <value>Default 3. A lease given back (a worker's graceful stop) is not a lapse.</value>
    [Id(20)]
    public int MaxLeaseLapses { get; init; } = DefaultMaxLeaseLapses;

    /// <summary>The default of <see cref="MaxLeaseLapses"/>: 3.</summary>
    public const int DefaultMaxLeaseLapses = 3;

    /// <summary>Whether <paramref name="other"/> is the same run: equal in everything but the settings a later
    /// submission may change (<see cref="RetryErrors"/>, <see cref="CacheDirectory"/>, <see cref="MaxCost"/>,
    /// <see cref="Price"/>), as <c>sluice run --resume</c> allows them to change.</summary>
    internal bool IsSameRunAs(ShardedRunOptions other) => Identity() == other.Identity();

    private ShardedRunOptions Identity() => this with { RetryErrors = false, CacheDirectory = null, MaxCost = null, Price = null };

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
        Positive(MaxLeaseLapses, nameof(MaxLeaseLapses));
        if (MaxCost is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCost), MaxCost, $"{nameof(ShardedRunOptions)}.{nameof(MaxCost)} must not be negative; it was {MaxCost}.");
        }

        if (MaxCost is not null && Price is null)
        {
            throw new ArgumentException($"{nameof(ShardedRunOptions)}.{nameof(MaxCost)} needs {nameof(Price)}: a cost limit without a price could never be applied.", nameof(MaxCost));
        }

        if (Price is { InputPerMillion: < 0 } or { OutputPerMillion: < 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(Price), Price, $"{nameof(ShardedRunOptions)}.{nameof(Price)} must not be negative.");
        }

        if (ShardLines is { } shardLines)
        {
            Positive(shardLines, nameof(ShardLines));
        }
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
