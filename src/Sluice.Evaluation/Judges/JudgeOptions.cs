using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>
/// How a judge evaluator calls its chat model. Every judge call is sent with <c>Temperature = 0</c> and
/// <see cref="Seed"/>, so that providers that honour them give repeatable verdicts.
/// </summary>
public sealed record JudgeOptions
{
    /// <summary>The default seed, 42.</summary>
    public const long DefaultSeed = 42;

    private readonly int? _maxOutputTokens;

    /// <summary>Gets the shared default options.</summary>
    public static JudgeOptions Default { get; } = new();

    /// <summary>Gets the seed sent with every judge call.</summary>
    /// <value>Defaults to <see cref="DefaultSeed"/> (42).</value>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>Gets the model id sent with every judge call, or <see langword="null"/> to let the client choose.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? ModelId { get; init; }

    /// <summary>Gets the output token limit sent with every judge call, or <see langword="null"/> for none.</summary>
    /// <value>Defaults to <see langword="null"/>. When set, must be positive.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? MaxOutputTokens
    {
        get => _maxOutputTokens;
        init
        {
            if (value is int limit)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, nameof(MaxOutputTokens));
            }

            _maxOutputTokens = value;
        }
    }

    /// <summary>Gets the clock that times each judge call (the duration reported with its result).</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Creates fresh <see cref="ChatOptions"/> for one call (middleware may mutate them).</summary>
    internal ChatOptions CreateChatOptions() => new()
    {
        Temperature = 0f,
        Seed = Seed,
        ModelId = ModelId,
        MaxOutputTokens = MaxOutputTokens,
    };
}
