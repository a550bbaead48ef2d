namespace Sluice.AI;

/// <summary>A request's cost in tokens, input and output apart: what a <see cref="RateBudget"/> takes before the
/// request is sent (estimates), and what the provider reported after it. Providers limit tokens per minute either in
/// total (OpenAI) or input and output apart (Anthropic), so a budget needs both.</summary>
/// <param name="Input">Input (prompt) tokens.</param>
/// <param name="Output">Output (completion) tokens: the requested cap when one was set, which providers charge in full.</param>
public readonly record struct TokenCost(long Input, long Output)
{
    /// <summary>Gets the input and output tokens together.</summary>
    public long Total => Input + Output;
}
