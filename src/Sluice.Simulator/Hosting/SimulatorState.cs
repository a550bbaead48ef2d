using Sluice.Simulator.Content;
using Sluice.Simulator.Limits;
using Sluice.Simulator.Stats;
using Sluice.Simulator.Timing;

namespace Sluice.Simulator;

/// <summary>The simulator's shared state: current options and what is derived from them, limits, counters, the delay thread.</summary>
internal sealed class SimulatorState : IDisposable
{
    private volatile Derived _derived;

    public SimulatorState(SimulatorOptions options)
    {
        options.Validate();
        _derived = new Derived(options, ScriptedReplies.Load(options), TokenCounter.For(options.TokenizerEncoding), ReplyText.For(options.TokenizerEncoding));
        Limits = new RateLimits(options);
    }

    public SimulatorOptions Options => _derived.Options;
    public ScriptedReplies Rules => _derived.Rules;
    public TokenCounter Tokens => _derived.Tokens;
    public ReplyText Text => _derived.Text;
    public RateLimits Limits { get; }
    public SimulatorCounters Counters { get; } = new();
    public PreciseDelay Delay { get; } = new();
    public long StartedUnixSeconds { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Validates and applies new options; the rate buckets are rebuilt (full) only when a limit changed.</summary>
    public void Apply(SimulatorOptions options)
    {
        options.Validate();
        var old = _derived.Options;
        _derived = new Derived(options, ScriptedReplies.Load(options), TokenCounter.For(options.TokenizerEncoding), ReplyText.For(options.TokenizerEncoding));
        if (old.RequestsPerMinute != options.RequestsPerMinute || old.TokensPerMinute != options.TokensPerMinute || old.BurstSeconds != options.BurstSeconds)
            Limits.Configure(options);
    }

    /// <summary>Zeroes the counters, refills the budgets and clears forced 429s.</summary>
    public void Reset()
    {
        Counters.Reset();
        Limits.Configure(Options);
        Limits.Force(0, TimeSpan.Zero);
    }

    public void Dispose() => Delay.Dispose();

    private sealed record Derived(SimulatorOptions Options, ScriptedReplies Rules, TokenCounter Tokens, ReplyText Text);
}
