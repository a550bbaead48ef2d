namespace Sluice.Evaluation;

/// <summary>
/// The repetition index of the evaluation running on the current asynchronous flow (0 for the first or only one).
/// <see cref="BatchEvalRunner"/> sets it around each evaluation; <see cref="JudgeCacheChatClient"/> puts it in the cache
/// key, so that with <see cref="BatchEvalOptions.Repeat"/> each repetition is a real call, cached on its own.
/// </summary>
public static class JudgeRepetition
{
    private static readonly AsyncLocal<int> Ambient = new();

    /// <summary>Gets the repetition index of the current flow; 0 outside a repeated evaluation.</summary>
    public static int Current => Ambient.Value;

    /// <summary>Sets the repetition index for the current flow until the returned scope is disposed.</summary>
    /// <param name="repetition">The index, zero or more.</param>
    /// <returns>A scope that restores the previous index.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repetition"/> is negative.</exception>
    public static IDisposable Enter(int repetition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repetition);
        var scope = new Scope(Ambient.Value);
        Ambient.Value = repetition;
        return scope;
    }

    private sealed class Scope(int previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
