namespace Sluice.Reporting;

/// <summary>What <see cref="RunReports.WriteAsync"/> reports on and where it writes.</summary>
public sealed record ReportOptions
{
    /// <summary>Gets the run directory to report on: the <c>&lt;output&gt;.sluice</c> directory of <c>sluice run</c>
    /// (or its output file, whose run directory is then used), or the run directory of <c>sluice eval</c>.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Gets a second run directory of the same kind to put beside the first (<c>--compare</c>).</summary>
    /// <value>Default <see langword="null"/>: one run.</value>
    public string? CompareDirectory { get; init; }

    /// <summary>Gets the HTML file to write.</summary>
    /// <value>Default <see langword="null"/>: <c>report.html</c> in the run directory.</value>
    public string? HtmlPath { get; init; }

    /// <summary>Gets the Markdown summary to write.</summary>
    /// <value>Default <see langword="null"/>: the HTML path with <c>.md</c> in place of <c>.html</c>
    /// (<c>report.md</c> in the run directory by default).</value>
    public string? MarkdownPath { get; init; }
}
