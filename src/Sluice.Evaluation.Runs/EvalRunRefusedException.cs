namespace Sluice.Evaluation.Runs;

/// <summary>An <see cref="EvalJob"/> that will not start, and why: an unknown or impossible evaluator, a missing index,
/// a run directory in use, an earlier run there without resume, or a resume whose dataset or settings changed
/// (<see cref="Reasons"/> lists the changes). Nothing was evaluated.</summary>
public sealed class EvalRunRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="reasons">The details (for a resume: each change), or <see langword="null"/>.</param>
    public EvalRunRefusedException(string message, IReadOnlyList<string>? reasons = null)
        : base(message)
    {
        Reasons = reasons ?? [];
    }

    /// <summary>Gets the details, one sentence each (empty when the message says it all).</summary>
    public IReadOnlyList<string> Reasons { get; }
}
