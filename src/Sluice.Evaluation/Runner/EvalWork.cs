namespace Sluice.Evaluation;

/// <summary>One unit of a run's work: a query (<see cref="Evaluator"/> = -1) or one repetition of one evaluator on one case.</summary>
internal readonly record struct EvalWork(int Case, int Evaluator, int Repetition)
{
    public bool IsQuery => Evaluator < 0;

    public static EvalWork Query(int @case) => new(@case, -1, 0);

    /// <summary>Every evaluation of every case, case by case (the work of a run whose responses are known).</summary>
    public static IEnumerable<EvalWork> AllEvaluations(int cases, int evaluators, int repeat)
    {
        for (var c = 0; c < cases; c++)
        {
            for (var e = 0; e < evaluators; e++)
            {
                for (var r = 0; r < repeat; r++)
                {
                    yield return new EvalWork(c, e, r);
                }
            }
        }
    }
}
