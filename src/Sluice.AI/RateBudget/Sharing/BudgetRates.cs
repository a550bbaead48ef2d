namespace Sluice.AI;

/// <summary>One value per dimension a provider limits: requests, tokens in total, input tokens, output tokens —
/// limits per minute, or rates per second, as the member that holds it says. <see langword="null"/>: no limit (or no
/// share) in that dimension.</summary>
/// <param name="Requests">Requests.</param>
/// <param name="Tokens">Tokens, input and output together (OpenAI's tokens per minute).</param>
/// <param name="InputTokens">Input tokens (Anthropic's input tokens per minute).</param>
/// <param name="OutputTokens">Output tokens (Anthropic's output tokens per minute).</param>
public readonly record struct BudgetRates(double? Requests, double? Tokens, double? InputTokens = null, double? OutputTokens = null)
{
    /// <summary>The number of dimensions.</summary>
    internal const int Count = 4;

    /// <summary>Gets a dimension by its position: 0 requests, 1 tokens, 2 input tokens, 3 output tokens.</summary>
    internal double? this[int dimension] => dimension switch
    {
        0 => Requests,
        1 => Tokens,
        2 => InputTokens,
        3 => OutputTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    /// <summary>Builds rates from one value per dimension, in the indexer's order.</summary>
    internal static BudgetRates From(ReadOnlySpan<double?> values) => new(values[0], values[1], values[2], values[3]);

    /// <summary>0 in every dimension that has a value: the same limits, nothing to spend.</summary>
    internal BudgetRates Zeroed() => new(Requests is null ? null : 0, Tokens is null ? null : 0, InputTokens is null ? null : 0, OutputTokens is null ? null : 0);

    /// <summary>Every dimension multiplied by <paramref name="factor"/>.</summary>
    internal BudgetRates Times(double factor) => new(Requests * factor, Tokens * factor, InputTokens * factor, OutputTokens * factor);
}
