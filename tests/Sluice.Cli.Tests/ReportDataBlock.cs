using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests;

/// <summary>The data block of a report written by <c>sluice report</c>: the numbers its charts and tables show.</summary>
internal static class ReportDataBlock
{
    public static JsonElement Of(string html)
    {
        var match = Regex.Match(html, "<script type=\"application/json\" id=\"sluice-report-data\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(match.Success, "the report has no data block");
        return JsonDocument.Parse(match.Groups[1].Value).RootElement.Clone();
    }
}
