namespace Sluice.Reporting;

/// <summary>A report laid out, before it is written as HTML or Markdown: the runs (one, or two with
/// <c>--compare</c>) and the sections in order.</summary>
internal sealed record ReportPage(string Title, IReadOnlyList<ReportSource> Runs, IReadOnlyList<ReportSection> Sections)
{
    /// <summary>The label of run <paramref name="index"/>: <c>A</c> and <c>B</c> when two are compared.</summary>
    public string Label(int index) => Runs.Count == 1 ? "run" : index == 0 ? "A" : "B";
}

/// <summary>One section: an optional paragraph, charts (each with its table), plain tables and listed cases.</summary>
internal sealed record ReportSection(string Id, string Title)
{
    public string? Text { get; init; }

    public IReadOnlyList<Chart> Charts { get; init; } = [];

    public IReadOnlyList<DataTable> Tables { get; init; } = [];

    public IReadOnlyList<(string Run, EvalCase Case, string? Dataset)> Cases { get; init; } = [];
}
