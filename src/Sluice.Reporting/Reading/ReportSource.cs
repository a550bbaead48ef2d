namespace Sluice.Reporting;

/// <summary>Everything a report shows of one run directory, read once.</summary>
internal sealed record ReportSource
{
    /// <summary>Gets <c>run</c> or <c>eval</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the run directory's full path.</summary>
    public required string Directory { get; init; }

    /// <summary>Gets how the run ended (<c>succeeded</c>, <c>interrupted</c>…), or <see langword="null"/> when unknown.</summary>
    public string? Outcome { get; init; }

    /// <summary>Gets labelled facts shown under the title (input, dataset, settings), already cleaned of secrets.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];

    /// <summary>Gets the headline numbers, compared one by one with <c>--compare</c>.</summary>
    public IReadOnlyList<Headline> Headlines { get; init; } = [];

    /// <summary>Gets the counts over time, or <see langword="null"/> without <c>timeline.jsonl</c>.</summary>
    public RunTimelineData? Timeline { get; init; }

    /// <summary>Gets the totals of a <c>run</c> directory.</summary>
    public RunTotals? Run { get; init; }

    /// <summary>Gets the results of an <c>eval</c> directory.</summary>
    public EvalData? Eval { get; init; }
}

/// <summary>One headline number; <see cref="Value"/> is <see langword="null"/> when unknown.</summary>
internal sealed record Headline(string Name, double? Value, HeadlineFormat Format);

internal enum HeadlineFormat
{
    Count,
    Decimal,
    Seconds,
    Milliseconds,
    Dollars,
    Score,
}

/// <summary>One sample of <c>timeline.jsonl</c>; <see cref="T"/> is seconds since the first session started, the
/// sessions laid end to end.</summary>
internal sealed record TimelinePoint(
    int Session, double T, long Done, long Succeeded, long Failed, long InFlight, int ConcurrencyLimit,
    long Retries, long RateLimited, long CacheHits, long InputTokens, long OutputTokens, decimal? Cost);

/// <summary>The timeline of a run directory: its samples and the latency histograms of all sessions together
/// (<see cref="LatencyCounts"/> of requests as the runner sees them, <see cref="AttemptCounts"/> of HTTP attempts).</summary>
internal sealed record RunTimelineData(
    IReadOnlyList<TimelinePoint> Points, int Sessions, IReadOnlyList<double> LatencyBoundsMs, IReadOnlyList<long> LatencyCounts, IReadOnlyList<long> AttemptCounts)
{
    /// <summary>Gets the sessions' durations added up.</summary>
    public double Elapsed => Points.Count == 0 ? 0 : Points[^1].T;

    /// <summary>The last sample of each session: its totals (the counts of a session are the session's own).</summary>
    public IEnumerable<TimelinePoint> SessionEnds() =>
        Points.GroupBy(p => p.Session).Select(g => g.Last());
}

/// <summary>The totals of a <c>run</c> directory.</summary>
internal sealed record RunTotals
{
    public long? Items { get; init; }

    public long Succeeded { get; init; }

    public long Failed { get; init; }

    public long Sent { get; init; }

    public long CacheHits { get; init; }

    public long Retries { get; init; }

    public long RateLimited { get; init; }

    /// <summary>Gets the tokens the provider reported for sent requests (what was paid for).</summary>
    public long SentInputTokens { get; init; }

    public long SentOutputTokens { get; init; }

    /// <summary>Gets the tokens in the usage of every success in the journal, the cache's answers included.</summary>
    public long ResultInputTokens { get; init; }

    public long ResultOutputTokens { get; init; }

    public decimal? Cost { get; init; }

    /// <summary>Gets the final failures by kind (status code and error code), most frequent first.</summary>
    public IReadOnlyList<ErrorKind> Errors { get; init; } = [];
}

/// <summary>One kind of failure: its label, how many items ended with it, and one message as an example.</summary>
internal sealed record ErrorKind(string Kind, long Count, string Example);

/// <summary>The results of an <c>eval</c> directory.</summary>
internal sealed record EvalData
{
    public string? Dataset { get; init; }

    public string? Index { get; init; }

    public long? Cases { get; init; }

    public double? ElapsedSeconds { get; init; }

    public IReadOnlyList<string> Evaluators { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Skipped { get; init; } = [];

    public IReadOnlyList<EvalMetric> Metrics { get; init; } = [];

    /// <summary>Gets each evaluator's valid scores (a verdict without a score counts 1 or 0).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Scores { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    /// <summary>Gets each evaluator's lowest-scoring cases, lowest first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<EvalCase>> Worst { get; init; } = new Dictionary<string, IReadOnlyList<EvalCase>>();
}

internal sealed record EvalMetric(string Evaluator, double? Mean, double? CiLow, double? CiHigh, long N, long Invalid);

internal sealed record EvalCase(
    string Evaluator, string? CaseId, long? Line, int Index, string Query, string? Response, double Score, string? Feedback);
