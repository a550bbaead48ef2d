namespace Sluice.AI;

/// <summary>
/// What an <see cref="EndpointBenchmark"/> sends: the endpoint and model, the concurrencies (and, for embeddings, the
/// group sizes) it sweeps, how many requests each step sends and the cap on them all, and the rule that stops the sweep
/// and picks the recommendation.
/// </summary>
/// <remarks>
/// A step at concurrency <c>c</c> sends <c>max(<see cref="MinRequestsPerStep"/>, <see cref="RequestsPerSlot"/> × c)</c>
/// requests: each slot sends several in turn, so the start-up (connection set-up) and the tail weigh little.
/// Steps are planned in order until the next would pass <see cref="MaxRequests"/>; that one and the rest are dropped.
/// </remarks>
public sealed record EndpointBenchmarkOptions
{
    /// <summary>Gets the endpoint to send to.</summary>
    /// <value>Default <see cref="BenchmarkEndpoint.Chat"/>.</value>
    public BenchmarkEndpoint Endpoint { get; init; } = BenchmarkEndpoint.Chat;

    /// <summary>Gets the model the requests name.</summary>
    /// <value>Default <c>gpt-4o-mini</c>. Not empty.</value>
    public string Model { get; init; } = "gpt-4o-mini";

    /// <summary>Gets the concurrencies to sweep, rising, or <see langword="null"/> for 1, 2, 4, … up to
    /// <see cref="MaxConcurrency"/> (included).</summary>
    /// <value>Default <see langword="null"/>. Each positive, strictly rising.</value>
    public IReadOnlyList<int>? ConcurrencyLevels { get; init; }

    /// <summary>Gets the largest concurrency of the default sweep.</summary>
    /// <value>Default 128. Positive.</value>
    public int MaxConcurrency { get; init; } = 128;

    /// <summary>Gets the fewest requests a step sends.</summary>
    /// <value>Default 50. Positive.</value>
    public int MinRequestsPerStep { get; init; } = 50;

    /// <summary>Gets the requests a step sends per concurrency slot, one after another, when that is more than <see cref="MinRequestsPerStep"/>.</summary>
    /// <value>Default 4. Positive.</value>
    public int RequestsPerSlot { get; init; } = 4;

    /// <summary>Gets the most requests the whole benchmark sends, both sweeps together.</summary>
    /// <value>Default 2000. Positive.</value>
    public int MaxRequests { get; init; } = 2000;

    /// <summary>Gets the texts per embeddings request during the concurrency sweep.</summary>
    /// <value>Default 16. Positive, at most 2048 (OpenAI's limit).</value>
    public int GroupSize { get; init; } = 16;

    /// <summary>Gets the group sizes the embeddings benchmark sweeps, rising, at the recommended concurrency; empty for none.</summary>
    /// <value>Default 1, 4, 16, 64, 256. Each positive and at most 2048, strictly rising.</value>
    public IReadOnlyList<int> GroupSizes { get; init; } = [1, 4, 16, 64, 256];

    /// <summary>Gets the <c>max_tokens</c> of each chat request (the output it may produce).</summary>
    /// <value>Default 64. Positive.</value>
    public int MaxOutputTokens { get; init; } = 64;

    /// <summary>Gets the longest one request may take before it counts as failed (<c>"timeout"</c>).</summary>
    /// <value>Default 60 s. Positive.</value>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets whether an endpoint whose host is not a loopback address (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>)
    /// may be benchmarked: a benchmark spends the provider's quota and money.</summary>
    /// <value>Default <see langword="false"/>: <see cref="EndpointBenchmark.RunAsync"/> refuses such an endpoint.</value>
    public bool AllowNonLoopback { get; init; }

    /// <summary>Gets the rule that stops a sweep early and picks the recommendation.</summary>
    /// <value>Default <see cref="BenchmarkRule"/> with its defaults.</value>
    public BenchmarkRule Rule { get; init; } = new();

    /// <summary>Gets the clock that times the steps and the requests (and the throughput handler's waits).</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The concurrencies of the sweep: <see cref="ConcurrencyLevels"/>, or 1, 2, 4, … and <see cref="MaxConcurrency"/>.</summary>
    internal IReadOnlyList<int> Levels()
    {
        if (ConcurrencyLevels is { } levels)
        {
            return levels;
        }

        var list = new List<int>();
        for (int c = 1; c < MaxConcurrency; c *= 2)
        {
            list.Add(c);
        }

        list.Add(MaxConcurrency);
        return list;
    }

    /// <summary>The requests a step at <paramref name="concurrency"/> sends.</summary>
    internal int RequestsFor(int concurrency) => (int)Math.Min(int.MaxValue, Math.Max(MinRequestsPerStep, (long)RequestsPerSlot * concurrency));

    /// <summary>Throws when a value is out of range, naming it.</summary>
    internal EndpointBenchmarkOptions Validate()
    {
        const string path = nameof(EndpointBenchmarkOptions);
        OptionsCheck.Require(Enum.IsDefined(Endpoint), path, nameof(Endpoint), Endpoint, "Chat or Embeddings");
        OptionsCheck.Require(!string.IsNullOrWhiteSpace(Model), path, nameof(Model), Model, "a model name");
        OptionsCheck.Require(MaxConcurrency > 0, path, nameof(MaxConcurrency), MaxConcurrency, "positive");
        if (ConcurrencyLevels is { } levels)
        {
            OptionsCheck.Require(levels.Count > 0 && Rising(levels, int.MaxValue), path, nameof(ConcurrencyLevels), string.Join(",", levels), "at least one positive number, strictly rising");
        }

        OptionsCheck.Require(MinRequestsPerStep > 0, path, nameof(MinRequestsPerStep), MinRequestsPerStep, "positive");
        OptionsCheck.Require(RequestsPerSlot > 0, path, nameof(RequestsPerSlot), RequestsPerSlot, "positive");
        OptionsCheck.Require(MaxRequests > 0, path, nameof(MaxRequests), MaxRequests, "positive");
        OptionsCheck.Require(GroupSize is > 0 and <= 2048, path, nameof(GroupSize), GroupSize, "from 1 to 2048");
        OptionsCheck.NotNull(GroupSizes, path, nameof(GroupSizes));
        OptionsCheck.Require(Rising(GroupSizes, 2048), path, nameof(GroupSizes), string.Join(",", GroupSizes), "numbers from 1 to 2048, strictly rising");
        OptionsCheck.Require(MaxOutputTokens > 0, path, nameof(MaxOutputTokens), MaxOutputTokens, "positive");
        OptionsCheck.Require(AttemptTimeout > TimeSpan.Zero, path, nameof(AttemptTimeout), AttemptTimeout, "positive");
        OptionsCheck.NotNull(TimeProvider, path, nameof(TimeProvider));
        OptionsCheck.NotNull(Rule, path, nameof(Rule));
        Rule.Validate($"{path}.{nameof(Rule)}");
        return this;
    }

    private static bool Rising(IReadOnlyList<int> values, int max)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] < 1 || values[i] > max || (i > 0 && values[i] <= values[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
