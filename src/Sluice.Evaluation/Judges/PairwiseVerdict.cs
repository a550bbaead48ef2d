namespace Sluice.Evaluation;

/// <summary>
/// The verdict of <see cref="PairwiseComparisonEvaluator"/>, always in the original frame: the evaluated response
/// against the <see cref="SecondResponseContext"/>.
/// </summary>
public enum PairwiseVerdict
{
    /// <summary>The evaluated response is better (score 1).</summary>
    ResponseBetter,

    /// <summary>The second response is better (score 0).</summary>
    SecondResponseBetter,

    /// <summary>Both are equally good (score 0.5).</summary>
    Tie,

    /// <summary>The two orders of presentation gave contradicting verdicts (score 0.5, no pass/fail).</summary>
    Inconclusive,
}
