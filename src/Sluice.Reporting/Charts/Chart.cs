namespace Sluice.Reporting;

/// <summary>One chart of a report: its inline SVG and the same data as a table (for screen readers and for copying).</summary>
/// <param name="Id">The chart's id in the page (letters, digits and dashes).</param>
/// <param name="Title">What the chart shows.</param>
/// <param name="Svg">The <c>&lt;svg&gt;</c> element.</param>
/// <param name="Table">The data.</param>
internal sealed record Chart(string Id, string Title, string Svg, DataTable Table);

/// <summary>A table of a chart's data; <see cref="Note"/> says when rows were thinned.</summary>
internal sealed record DataTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Note = null);

/// <summary>One line of a line chart.</summary>
internal sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, int Color, bool Dashed = false);

/// <summary>One set of bars of a bar chart, one value per category.</summary>
internal sealed record BarSeries(string Name, IReadOnlyList<double> Values, int Color);
