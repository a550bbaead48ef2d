using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Reporting;

/// <summary>Writes a <see cref="ReportPage"/> as one self-contained HTML file: inline CSS, inline SVG charts each
/// beside its data table, the data as a <c>&lt;script type="application/json"&gt;</c> block, no script that runs and
/// nothing fetched (a Content-Security-Policy of <c>default-src 'none'</c> says so to the browser).</summary>
internal static partial class HtmlReport
{
    /// <summary>The id of the embedded JSON block.</summary>
    public const string DataId = "sluice-report-data";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The default encoder escapes <, >, & and quotes, so the block can never close its own <script> element.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default,
    };

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1b1b1b;line-height:1.4}
        h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:2rem}
        table{border-collapse:collapse;font-size:.85rem;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
        figure{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;margin:16px 0}
        figure svg{flex:0 0 auto;border:1px solid #eee}
        .data{flex:1 1 300px;max-height:300px;overflow:auto}
        figcaption{flex-basis:100%;font-weight:600}
        .case{border:1px solid #ddd;border-radius:4px;padding:8px 12px;margin:8px 0}
        .case pre{white-space:pre-wrap;margin:4px 0;font-size:.85rem;background:#fafafa;padding:4px}
        .note{color:#555;font-size:.85rem}
        """;

    public static string Write(ReportPage page, object data)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"generator\" content=\"sluice report\">\n");
        html.Append("<title>").Append(E(page.Title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(E(page.Title)).Append("</h1></header>\n<main>\n");
        html.Append("<nav aria-label=\"sections\"><ul>");
        foreach (var section in page.Sections)
        {
            html.Append("<li><a href=\"#").Append(section.Id).Append("\">").Append(E(section.Title)).Append("</a></li>");
        }

        html.Append("</ul></nav>\n");
        foreach (var section in page.Sections)
        {
            html.Append("<section id=\"").Append(section.Id).Append("\" aria-labelledby=\"").Append(section.Id).Append("-h\">\n<h2 id=\"")
                .Append(section.Id).Append("-h\">").Append(E(section.Title)).Append("</h2>\n");
            if (section.Text is { } text)
            {
                html.Append("<p>").Append(E(text)).Append("</p>\n");
            }

            foreach (var chart in section.Charts)
            {
                html.Append("<figure aria-labelledby=\"").Append(chart.Id).Append("-caption\">\n<figcaption id=\"").Append(chart.Id).Append("-caption\">")
                    .Append(E(chart.Title)).Append("</figcaption>\n").Append(chart.Svg).Append('\n');
                html.Append("<div class=\"data\">");
                Table(html, chart.Table, "Data of the chart: " + chart.Title);
                html.Append("</div>\n</figure>\n");
            }

            foreach (var table in section.Tables)
            {
                Table(html, table, null);
            }

            foreach (var (run, c, dataset) in section.Cases)
            {
                string anchor = $"case-{ReportComposer.Slug(run)}-{ReportComposer.Slug(c.Evaluator)}-{c.Index}";
                string input = dataset is null ? $"case {c.Index}" : $"{Path.GetFileName(dataset)}:{c.Line?.ToString(CultureInfo.InvariantCulture) ?? "?"}";
                html.Append("<article class=\"case\" id=\"").Append(anchor).Append("\"><h3>")
                    .Append(E($"{c.Evaluator} — score {c.Score.ToString("0.###", CultureInfo.InvariantCulture)}{(page.Runs.Count > 1 ? $" (run {run})" : "")}"))
                    .Append("</h3><p>input: ");
                if (dataset is not null && Path.IsPathFullyQualified(dataset))
                {
                    html.Append("<a href=\"").Append(E(new Uri(dataset).AbsoluteUri)).Append("\" title=\"").Append(E(dataset + ":" + c.Line)).Append("\">").Append(E(input)).Append("</a>");
                }
                else
                {
                    html.Append(E(input));
                }

                html.Append(c.CaseId is { } id ? " · case id " + E(id) : "").Append(" · <a href=\"#").Append(anchor).Append("\">link</a></p>");
                Field(html, "query", c.Query);
                Field(html, "response", c.Response);
                Field(html, "feedback", c.Feedback);
                html.Append("</article>\n");
            }

            html.Append("</section>\n");
        }

        html.Append("</main>\n<footer class=\"note\"><p>Written by sluice report. The data of every chart is in the JSON block with id ")
            .Append(DataId).Append(".</p></footer>\n");
        html.Append("<script type=\"application/json\" id=\"").Append(DataId).Append("\">")
            .Append(JsonSerializer.Serialize(data, Json)).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Field(StringBuilder html, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            html.Append("<div><strong>").Append(name).Append("</strong><pre>").Append(E(value)).Append("</pre></div>");
        }
    }

    private static void Table(StringBuilder html, DataTable table, string? caption)
    {
        html.Append("<table>");
        if (caption is not null)
        {
            html.Append("<caption class=\"note\">").Append(E(caption)).Append("</caption>");
        }

        html.Append("<thead><tr>");
        foreach (string header in table.Headers)
        {
            html.Append("<th scope=\"col\">").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
            {
                // The first column names the row; the others right-align when they hold numbers.
                html.Append(i > 0 && LooksNumeric(row[i]) ? "<td class=\"n\">" : "<td>").Append(E(row[i])).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
        if (table.Note is { } note)
        {
            html.Append("<p class=\"note\">").Append(E(note)).Append("</p>");
        }
    }

    /// <summary>A count, an amount, a duration or a change: right-aligned.</summary>
    private static bool LooksNumeric(string cell) => NumericCell().IsMatch(cell);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[+−±$]?[0-9][0-9,.]*( ?(ms|s|%))?( \([+−]?[0-9.,]+%\))?$")]
    private static partial System.Text.RegularExpressions.Regex NumericCell();

    private static string E(string text) => SvgCharts.Escape(text);
}
