using System.Text.Json.Serialization;

namespace Sluice.Simulator;

/// <summary>
/// Everything the simulator can be told: where it listens, how it answers, how slow it is, which limits it
/// enforces and which faults it injects. Every property has a documented default; <see cref="Validate"/> rejects
/// out-of-range values with a message naming the option.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>The TCP port on 127.0.0.1. <value>Default 0: the operating system picks a free port.</value></summary>
    public int Port { get; init; }

    /// <summary>Seed mixed into every content, jitter and fault decision. <value>Default 42.</value></summary>
    public int Seed { get; init; } = 42;

    /// <summary>Base latency of a successful answer in milliseconds. <value>Default 0.</value></summary>
    public double LatencyMs { get; init; }

    /// <summary>Extra latency per output token in milliseconds (chat only). <value>Default 0.</value></summary>
    public double PerTokenLatencyMs { get; init; }

    /// <summary>Half-width of the uniform, seeded jitter added to the latency, in milliseconds. <value>Default 0.</value></summary>
    public double JitterMs { get; init; }

    /// <summary>
    /// Concurrent requests the simulated provider serves at full speed. Above it, latency is multiplied by
    /// <c>inFlight / Capacity</c>. <value>Default 0: unlimited.</value>
    /// </summary>
    public int Capacity { get; init; }

    /// <summary>Requests per minute (continuous token bucket). <value>Default 0: unlimited.</value></summary>
    public int RequestsPerMinute { get; init; }

    /// <summary>Tokens per minute (continuous token bucket; a request costs prompt tokens + max tokens). <value>Default 0: unlimited.</value></summary>
    public int TokensPerMinute { get; init; }

    /// <summary>
    /// Bucket capacity in seconds of refill: each budget holds at most <c>limit / 60 × BurstSeconds</c>.
    /// <value>Default 60: a whole minute's budget may be spent at once, then it refills continuously.</value>
    /// </summary>
    public double BurstSeconds { get; init; } = 60;

    /// <summary>Largest prompt (plus requested output) a chat request may have, in tokens. <value>Default 128000.</value></summary>
    public int ContextWindowTokens { get; init; } = 128_000;

    /// <summary>Fewest output tokens of a generated reply. <value>Default 8.</value></summary>
    public int MinCompletionTokens { get; init; } = 8;

    /// <summary>Most output tokens of a generated reply (before max_tokens is applied). <value>Default 48.</value></summary>
    public int MaxCompletionTokens { get; init; } = 48;

    /// <summary>Embedding width when the request gives no <c>dimensions</c>. <value>Default 1536.</value></summary>
    public int EmbeddingDimensions { get; init; } = 1536;

    /// <summary>Model ids listed by <c>GET /v1/models</c>. <value>Default gpt-4o-mini, gpt-4o, text-embedding-3-small.</value></summary>
    public IReadOnlyList<string> Models { get; init; } = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];

    /// <summary>Tiktoken encoding used for <c>usage</c>: <c>o200k_base</c> or <c>cl100k_base</c>. <value>Default o200k_base.</value></summary>
    public string TokenizerEncoding { get; init; } = "o200k_base";

    /// <summary>Fraction of requests answered 500. <value>Default 0.</value></summary>
    public double Error500Rate { get; init; }

    /// <summary>Fraction of requests answered 502. <value>Default 0.</value></summary>
    public double Error502Rate { get; init; }

    /// <summary>Fraction of requests answered 503. <value>Default 0.</value></summary>
    public double Error503Rate { get; init; }

    /// <summary>Fraction of requests held without an answer until the client gives up or <see cref="MaxHangMs"/> passes. <value>Default 0.</value></summary>
    public double HangRate { get; init; }

    /// <summary>Fraction of requests whose connection is dropped without an answer. <value>Default 0.</value></summary>
    public double DropRate { get; init; }

    /// <summary>Fraction of requests answered 200 with a truncated (malformed) JSON body. <value>Default 0.</value></summary>
    public double MalformedRate { get; init; }

    /// <summary>
    /// Answers every simulated-work request with 429 <c>insufficient_quota</c> and no <c>Retry-After</c>, as OpenAI does
    /// for a key whose credit has run out: a 429 that waiting does not cure. <value>Default false.</value>
    /// </summary>
    public bool QuotaExhausted { get; init; }

    /// <summary>Longest a hung request is held before its connection is dropped, in milliseconds. <value>Default 30000.</value></summary>
    public double MaxHangMs { get; init; } = 30_000;

    /// <summary>Path of a JSON rules file (<c>[{"pattern": "regex", "reply": "text"}]</c>). <value>Default null: no file.</value></summary>
    public string? RulesFile { get; init; }

    /// <summary>Scripted replies checked before <see cref="RulesFile"/>'s; first match on the last user message wins. <value>Default empty.</value></summary>
    public IReadOnlyList<ScriptedReply> Rules { get; init; } = [];

    /// <summary>
    /// Whether <see cref="SimulatorHost.StartAsync"/> warms the request path up before it starts this simulator: a
    /// temporary simulator on another port, with these models, rules and tokenizer but no latency, faults or limits,
    /// takes a few hundred chat and embedding requests over loopback until the runtime has compiled what they reached,
    /// and is stopped. This simulator then meets its first client at its steady speed, as a provider that has been up
    /// for days would, instead of sharing the machine with its own start-up compilation; its counters, budgets and port
    /// never see the warm-up. Costs one to two seconds of start-up on a small machine.
    /// <value>Default false; the program (<c>sluice simulate</c>) defaults it to true (<c>--warm-up false</c> turns it off).</value>
    /// </summary>
    [JsonIgnore]
    public bool WarmUp { get; init; }

    /// <summary>Stop after this many seconds (the program only). <value>Default 0: run until stopped.</value></summary>
    [JsonIgnore]
    public double MaxSeconds { get; init; }

    /// <summary>The sum of all fault rates.</summary>
    [JsonIgnore]
    public double TotalFaultRate => Error500Rate + Error502Rate + Error503Rate + HangRate + DropRate + MalformedRate;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first invalid option.</summary>
    /// <returns>This instance, for chaining.</returns>
    public SimulatorOptions Validate()
    {
        if (Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535.");
        NotNegative(LatencyMs, nameof(LatencyMs));
        NotNegative(PerTokenLatencyMs, nameof(PerTokenLatencyMs));
        NotNegative(JitterMs, nameof(JitterMs));
        if (JitterMs > LatencyMs)
            throw new ArgumentOutOfRangeException(nameof(JitterMs), JitterMs, "JitterMs must not exceed LatencyMs (latency would go negative).");
        NotNegative(Capacity, nameof(Capacity));
        NotNegative(RequestsPerMinute, nameof(RequestsPerMinute));
        NotNegative(TokensPerMinute, nameof(TokensPerMinute));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BurstSeconds, nameof(BurstSeconds));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ContextWindowTokens, nameof(ContextWindowTokens));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinCompletionTokens, nameof(MinCompletionTokens));
        if (MaxCompletionTokens < MinCompletionTokens)
            throw new ArgumentOutOfRangeException(nameof(MaxCompletionTokens), MaxCompletionTokens, "MaxCompletionTokens must be at least MinCompletionTokens.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingDimensions, nameof(EmbeddingDimensions));
        if (Models is null || Models.Count == 0)
            throw new ArgumentException("Models must list at least one model id.", nameof(Models));
        if (TokenizerEncoding is not ("o200k_base" or "cl100k_base"))
            throw new ArgumentException($"TokenizerEncoding must be o200k_base or cl100k_base, not '{TokenizerEncoding}'.", nameof(TokenizerEncoding));
        Rate(Error500Rate, nameof(Error500Rate));
        Rate(Error502Rate, nameof(Error502Rate));
        Rate(Error503Rate, nameof(Error503Rate));
        Rate(HangRate, nameof(HangRate));
        Rate(DropRate, nameof(DropRate));
        Rate(MalformedRate, nameof(MalformedRate));
        if (TotalFaultRate > 1.0 + 1e-9)
            throw new ArgumentOutOfRangeException(nameof(Error500Rate), TotalFaultRate, "The fault rates (Error500Rate + Error502Rate + Error503Rate + HangRate + DropRate + MalformedRate) must sum to at most 1.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHangMs, nameof(MaxHangMs));
        NotNegative(MaxSeconds, nameof(MaxSeconds));
        if (Rules is null)
            throw new ArgumentException("Rules must not be null.", nameof(Rules));
        return this;
    }

    private static void NotNegative(double value, string name)
    {
        if (value < 0 || double.IsNaN(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be zero or positive.");
    }

    private static void Rate(double value, string name)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");
    }
}
