using Sluice.AI;

namespace Sluice.BatchFiles;

/// <summary>How a <see cref="BatchFileRunner"/> runs one OpenAI Batch API file (the options of <c>sluice run</c>).</summary>
public sealed record BatchRunOptions
{
    /// <summary>Gets the input file: one request per line.</summary>
    public required string InputPath { get; init; }

    /// <summary>Gets the output file for successes; the run directory sits beside it (<see cref="RunDirectory"/>).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Gets the errors file.</summary>
    /// <value>Default <see langword="null"/>: the output path with <c>.errors.jsonl</c> in place of <c>.jsonl</c>.</value>
    public string? ErrorsPath { get; init; }

    /// <summary>Gets whether the output files list results in input order.</summary>
    /// <value>Default <see langword="false"/>: completion order (journal order).</value>
    public bool Ordered { get; init; }

    /// <summary>Gets whether invalid lines are written to the errors file and the valid ones sent.</summary>
    /// <value>Default <see langword="false"/>: an invalid line stops the run before anything is sent.</value>
    public bool SkipInvalid { get; init; }

    /// <summary>Gets whether to continue the run recorded in the run directory (nothing journalled is sent again).</summary>
    /// <value>Default <see langword="false"/>: a run directory with a journal is refused. With nothing to resume a new
    /// run starts, so a script may always pass it.</value>
    public bool Resume { get; init; }

    /// <summary>Gets whether items whose journalled result failed are sent again.</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool RetryErrors { get; init; }

    /// <summary>Gets the spend at which no more work is admitted (dollars, by <see cref="Prices"/>): a request is
    /// admitted only while the cost so far plus what the admitted requests may still cost plus its own expected cost
    /// stays within it. What is in flight finishes; what was not sent is listed in the errors file with the code
    /// <see cref="BatchErrorCodes.CostLimitReached"/> and is sent by a later <c>--resume</c>.</summary>
    /// <value>Default <see langword="null"/>: no limit. Requires a price for every request's model.</value>
    public decimal? MaxCost { get; init; }

    /// <summary>Gets the spend outside this run that counts toward <see cref="MaxCost"/> (the other shards of a sharded
    /// run, say), read before each admission.</summary>
    /// <value>Default <see langword="null"/>: only this run's own spend (and, on resume, its journal's) counts.</value>
    public Func<decimal>? SpendElsewhere { get; init; }

    /// <summary>Gets the prices for costs.</summary>
    /// <value>Default <see langword="null"/>: costs are unknown.</value>
    public PriceTable? Prices { get; init; }

    /// <summary>Gets a response cache for deterministic requests.</summary>
    /// <value>Default <see langword="null"/>: no cache.</value>
    public ResponseCache? Cache { get; init; }

    /// <summary>Gets the most items the engine holds in flight; the HTTP client's own limit decides how many are sent.</summary>
    /// <value>Default 512.</value>
    public int MaxInFlight { get; init; } = 512;

    /// <summary>Gets how long in-flight items may take to finish after a stop was asked for; those still running then
    /// are abandoned, not journalled, and sent by a later <c>--resume</c>.</summary>
    /// <value>Default 60 seconds (the default attempt timeout).</value>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the settings that change results, for the manifest (named in words; never a secret).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Gets the journal's options.</summary>
    /// <value>Default: records flushed to disk (fsync), group-committed.</value>
    public RunJournalOptions Journal { get; init; } = new();

    /// <summary>Gets the input reader's options (error cap, one model per file).</summary>
    public BatchInputOptions Input { get; init; } = new();

    /// <summary>Gets the HTTP client's accounting, for retries, 429s and tokens in progress and the summary.</summary>
    /// <value>Default <see langword="null"/>: those counts are not reported.</value>
    public UsageLedger? Ledger { get; init; }

    /// <summary>Gets the HTTP client's concurrency limit, for the limit in progress.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public ConcurrencyLimit? ConcurrencyLimit { get; init; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal BatchRunOptions Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InputPath, nameof(InputPath));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputPath, nameof(OutputPath));
        if (MaxInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, $"{nameof(BatchRunOptions)}.{nameof(MaxInFlight)} must be at least 1; it was {MaxInFlight}.");
        }

        if (DrainTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, $"{nameof(BatchRunOptions)}.{nameof(DrainTimeout)} must be positive; it was {DrainTimeout}.");
        }

        if (MaxCost is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCost), MaxCost, $"{nameof(BatchRunOptions)}.{nameof(MaxCost)} must not be negative; it was {MaxCost}.");
        }

        if (MaxCost is not null && Prices is null)
        {
            throw new ArgumentException($"{nameof(BatchRunOptions)}.{nameof(MaxCost)} needs {nameof(Prices)}: a cost limit without prices could never be applied.", nameof(MaxCost));
        }

        ArgumentNullException.ThrowIfNull(Settings, nameof(Settings));
        ArgumentNullException.ThrowIfNull(Journal, nameof(Journal));
        ArgumentNullException.ThrowIfNull(Input, nameof(Input));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        return this;
    }
}
