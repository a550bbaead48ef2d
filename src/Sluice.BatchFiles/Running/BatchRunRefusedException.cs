namespace Sluice.BatchFiles;

/// <summary>A run was refused before anything was sent: an earlier run's directory without <c>--resume</c>, or a
/// <c>--resume</c> whose configuration differs from the earlier run's (each difference is one sentence in
/// <see cref="Reasons"/>), or options that cannot work together.</summary>
public sealed class BatchRunRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="reasons">The differences or problems, one sentence each.</param>
    public BatchRunRefusedException(string message, IReadOnlyList<string>? reasons = null)
        : base(message)
    {
        Reasons = reasons ?? [];
    }

    /// <summary>Gets the differences or problems, one sentence each.</summary>
    public IReadOnlyList<string> Reasons { get; }
}
