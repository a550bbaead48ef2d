using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The guidelines a response must follow, for <see cref="GuidelineEvaluator"/>. When given, it replaces the
/// guidelines passed to the evaluator's constructor for that one evaluation.
/// </summary>
public sealed class GuidelinesContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded in a metric's <see cref="EvaluationMetric.Context"/>.</summary>
    public const string ContextName = "Guidelines";

    /// <summary>Creates the context.</summary>
    /// <param name="guidelines">The guidelines, in plain language.</param>
    /// <exception cref="ArgumentException"><paramref name="guidelines"/> is <see langword="null"/>, empty or white space.</exception>
    public GuidelinesContext(string guidelines)
        : base(ContextName, Validate(guidelines))
    {
        Guidelines = guidelines;
    }

    /// <summary>Gets the guidelines.</summary>
    public string Guidelines { get; }

    private static string Validate(string guidelines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(guidelines);
        return guidelines;
    }
}
