namespace Sluice.Reporting;

/// <summary>The files <see cref="RunReports.WriteAsync"/> wrote.</summary>
/// <param name="HtmlPath">The self-contained HTML report's full path.</param>
/// <param name="MarkdownPath">The Markdown summary's full path.</param>
public sealed record ReportFiles(string HtmlPath, string MarkdownPath);
