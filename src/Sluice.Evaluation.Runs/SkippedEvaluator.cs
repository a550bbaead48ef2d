namespace Sluice.Evaluation.Runs;

/// <summary>An evaluator an <see cref="EvalJob"/> did not run, and why (for example: no chat model is configured).</summary>
/// <param name="Name">The evaluator's name (see <see cref="EvaluatorCatalog.Names"/>).</param>
/// <param name="Reason">Why it was skipped, in words.</param>
public sealed record SkippedEvaluator(string Name, string Reason);
