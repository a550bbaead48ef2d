using System.Globalization;
using System.Text;

namespace Sluice.Reporting;

/// <summary>Writes a <see cref="ReportPage"/> as a Markdown summary: the tables of every section (not the charts'
/// long tables) and the worst cases, with a pointer to the HTML report for the charts.</summary>
internal static class MarkdownReport
{
    public static string Write(ReportPage page, string htmlPath)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(page.Title).Append("\n\n");
        md.Append("Charts: [").Append(Path.GetFileName(htmlPath)).Append("](").Append(Uri.EscapeDataString(Path.GetFileName(htmlPath))).Append(") (one self-contained file).\n");
        foreach (var section in page.Sections)
        {
            md.Append("\n## ").Append(section.Title).Append("\n\n");
            if (section.Text is { } text)
            {
                md.Append(text).Append("\n\n");
            }

            foreach (var chart in section.Charts.Where(c => c.Table.Rows.Count <= 16 && c.Table.Rows.Count > 0 && c.Id is "errors" or "requests"))
            {
                Table(md, chart.Table);
            }

            foreach (var table in section.Tables)
            {
                Table(md, table);
            }

            foreach (var (run, c, dataset) in section.Cases)
            {
                string input = dataset is null ? $"case {c.Index}" : $"{dataset}:{c.Line?.ToString(CultureInfo.InvariantCulture) ?? "?"}";
                md.Append("- **").Append(Cell(c.Evaluator)).Append("** score ").Append(c.Score.ToString("0.###", CultureInfo.InvariantCulture))
                    .Append(page.Runs.Count > 1 ? $" (run {run})" : "").Append(" — `").Append(input.Replace("`", "'", StringComparison.Ordinal)).Append("`\n");
                md.Append("  - query: ").Append(Cell(c.Query)).Append('\n');
                if (c.Response is { } response)
                {
                    md.Append("  - response: ").Append(Cell(response)).Append('\n');
                }

                if (c.Feedback is { } feedback)
                {
                    md.Append("  - feedback: ").Append(Cell(feedback)).Append('\n');
                }
            }
        }

        return md.ToString();
    }

    private static void Table(StringBuilder md, DataTable table)
    {
        md.Append("| ").Append(string.Join(" | ", table.Headers.Select(Cell))).Append(" |\n");
        md.Append('|').Append(string.Concat(table.Headers.Select(_ => "---|"))).Append('\n');
        foreach (var row in table.Rows)
        {
            md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
        }

        md.Append('\n');
    }

    /// <summary>A table cell or list item: one line, pipes escaped, cut to 300 characters.</summary>
    /// <summary>Text from a run as Markdown text, never markup: one line, cut at 300 characters, and every character that
    /// Markdown or inline HTML could turn into a link, an image, code or a tag backslash-escaped (a dataset's <c>&lt;img src=…&gt;</c> or <c>![](…)</c> would
    /// otherwise make a viewer fetch it).</summary>
    private static string Cell(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        line = line.Length <= 300 ? line : line[..300] + "…";
        var escaped = new StringBuilder(line.Length + 16);
        foreach (char c in line)
        {
            if (c is '\\' or '`' or '[' or ']' or '<' or '>' or '!' or '|' or '&')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
