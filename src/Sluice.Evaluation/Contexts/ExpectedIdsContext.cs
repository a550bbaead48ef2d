using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// The relevant ids of one case, given with <see cref="EvalInputs.WithExpectedIds(IReadOnlyList{IReadOnlyList{string}}, string?)"/>. The runner turns it into a
/// <see cref="RetrievedIdsContext"/> when the case's response carries source ids; otherwise it is handed over as is.
/// </summary>
internal sealed class ExpectedIdsContext : EvaluationContext
{
    /// <summary>The name under which this context is recorded.</summary>
    public const string ContextName = "Expected Ids";

    public ExpectedIdsContext(IReadOnlyList<string> expectedIds)
        : this(RetrievalMetrics.Validate(expectedIds, nameof(expectedIds)))
    {
    }

    private ExpectedIdsContext(string[] ids)
        : base(ContextName, new TextContent("expected: " + string.Join(", ", ids)))
    {
        Ids = ids;
    }

    /// <summary>Gets the relevant ids, as given.</summary>
    public IReadOnlyList<string> Ids { get; }
}
