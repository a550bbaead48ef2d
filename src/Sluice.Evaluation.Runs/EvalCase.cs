namespace Sluice.Evaluation.Runs;

/// <summary>One line of an evaluation dataset (<see cref="EvalDataset"/>): a query and what it is judged against.</summary>
public sealed record EvalCase
{
    /// <summary>Gets the case's id: the line's <c>id</c>, or <c>line-N</c> when it has none. Unique in the dataset.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the case's 1-based line in the dataset file.</summary>
    public required long Line { get; init; }

    /// <summary>Gets the question (<c>query</c>, required).</summary>
    public required string Query { get; init; }

    /// <summary>Gets the reference ("gold") answer (<c>reference</c>), or <see langword="null"/>.</summary>
    public string? Reference { get; init; }

    /// <summary>Gets the ids of the documents that answer the query (<c>relevant_ids</c>), or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? RelevantIds { get; init; }

    /// <summary>Gets a precomputed answer to evaluate (<c>response</c>), or <see langword="null"/>.</summary>
    public string? Response { get; init; }

    /// <summary>Gets passages that support the reference (<c>contexts</c>), or <see langword="null"/>; they stand in
    /// for retrieved passages when no index is given.</summary>
    public IReadOnlyList<string>? Contexts { get; init; }
}
