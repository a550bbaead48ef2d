using Sluice.BatchFiles;

namespace Sluice.Evaluation.Runs;

/// <summary>What a run still has to do, per case: the chosen evaluators the journal does not hold an outcome of and
/// that can score the case (<see cref="Runnable"/>). The ones that cannot score it get an invalid outcome saying why.</summary>
internal sealed class EvalWorkPlan
{
    private readonly EvaluatorCatalog.Selection _selection;
    private readonly Dictionary<string, int> _positions;
    private readonly List<(EvalCase Case, EvaluatorCatalog.Entry Entry, string Reason)> _inapplicable = [];

    public EvalWorkPlan(IReadOnlyList<EvalCase> cases, EvaluatorCatalog.Selection selection, EvalJournal done)
    {
        Cases = cases;
        _selection = selection;
        _positions = cases.Select(static (c, i) => (c.Id, i)).ToDictionary(static p => p.Id, static p => p.i, StringComparer.Ordinal);
        foreach (var @case in cases)
        {
            var runnable = new List<EvaluatorCatalog.Entry>();
            foreach (var entry in selection.Chosen)
            {
                if (done.Outcomes.ContainsKey((entry.Name, @case.Id)))
                {
                    continue;
                }

                if (selection.Context.WhyNot(entry.Needs, @case) is { } reason)
                {
                    _inapplicable.Add((@case, entry, reason));
                }
                else
                {
                    runnable.Add(entry);
                }
            }

            Runnable[@case.Id] = runnable;
        }
    }

    public IReadOnlyList<EvalCase> Cases { get; }

    /// <summary>Per case id: the evaluators still to run on it, in catalog order.</summary>
    public Dictionary<string, List<EvaluatorCatalog.Entry>> Runnable { get; } = new(StringComparer.Ordinal);

    public int IndexOf(EvalCase @case) => _positions[@case.Id];

    /// <summary>Journals an invalid outcome for each (case, evaluator) that the case's data cannot feed.</summary>
    public async Task JournalInapplicableAsync(RunJournal journal, EvalProgress? progress, CancellationToken cancellationToken)
    {
        foreach (var (@case, entry, reason) in _inapplicable)
        {
            await EvalJournal.AppendOutcomeAsync(journal, Invalid(@case, entry.Name, reason), progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Journals an invalid outcome for each evaluator still to run on a case whose query failed; it then has none left.</summary>
    public async Task JournalFailedAsync(RunJournal journal, EvalCase @case, string reason, EvalProgress? progress, CancellationToken cancellationToken)
    {
        foreach (var entry in Runnable[@case.Id])
        {
            await EvalJournal.AppendOutcomeAsync(journal, Invalid(@case, entry.Name, reason), progress, cancellationToken).ConfigureAwait(false);
        }

        Runnable[@case.Id] = [];
    }

    private EvalRecord Invalid(EvalCase @case, string evaluator, string reason) => new()
    {
        Evaluator = evaluator,
        Index = IndexOf(@case),
        Query = @case.Query,
        Response = _selection.Context.Generates ? null : @case.Response,
        InvalidResult = true,
        InvalidReason = reason,
        CaseId = @case.Id,
        Line = @case.Line,
    };
}
