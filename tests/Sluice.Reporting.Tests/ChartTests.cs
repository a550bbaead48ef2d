using System.Xml.Linq;

namespace Sluice.Reporting.Tests;

/// <summary>The SVG charts: well-formed, sized, labelled, escaped, each with its table.</summary>
public sealed class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void A_line_chart_is_well_formed_SVG_with_a_size_a_title_and_one_polyline_per_series()
    {
        var chart = SvgCharts.Line("t", "Throughput <over> time", "time (s)", "items/s",
        [
            new LineSeries("A", [(0, 1), (1, 3), (2, 2)], 0),
            new LineSeries("B & co", [(0, 2), (2, 4)], 1, Dashed: true),
        ]);
        var svg = XElement.Parse(chart.Svg);
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal(SvgCharts.Width.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)svg.Attribute("width"));
        Assert.Equal("img", (string?)svg.Attribute("role"));
        Assert.Equal("t-title", (string?)svg.Attribute("aria-labelledby"));
        Assert.Equal("Throughput <over> time", svg.Element(Svg + "title")!.Value);
        var lines = svg.Elements(Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("6 4", (string?)lines[1].Attribute("stroke-dasharray"));
        Assert.Equal(5, chart.Table.Rows.Count);
        Assert.Equal(["series", "time (s)", "items/s"], chart.Table.Headers);
    }

    [Fact]
    public void A_bar_chart_draws_one_bar_per_category_and_series_and_tables_them()
    {
        var chart = SvgCharts.Bars("b", "Errors", "kind", "items", ["HTTP 500", "request_timeout"], [new BarSeries("A", [3, 1], 0), new BarSeries("B", [0, 2], 1)]);
        var svg = XElement.Parse(chart.Svg);
        Assert.Equal(1 + 4, svg.Elements(Svg + "rect").Count()); // the background and four bars
        Assert.Equal([["HTTP 500", "3", "0"], ["request_timeout", "1", "2"]], chart.Table.Rows.Select(r => r.ToArray()));
    }

    [Fact]
    public void An_empty_chart_still_has_its_size_and_says_no_data()
    {
        var chart = SvgCharts.Line("e", "Nothing", "x", "y", []);
        var svg = XElement.Parse(chart.Svg);
        Assert.Equal("280", (string?)svg.Attribute("height"));
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "no data");
    }

    [Fact]
    public void A_long_series_is_thinned_evenly_keeping_its_ends()
    {
        var points = Enumerable.Range(0, 10_000).Select(i => ((double)i, (double)i)).ToList();
        var thin = SvgCharts.Thin(points, 40);
        Assert.Equal(40, thin.Count);
        Assert.Equal(0, thin[0].X);
        Assert.Equal(9_999, thin[^1].X);
        var chart = SvgCharts.Line("l", "Long", "x", "y", [new LineSeries("s", points, 0)]);
        Assert.Equal(SvgCharts.MaxTableRows, chart.Table.Rows.Count);
        Assert.NotNull(chart.Table.Note);
    }

    [Theory]
    [InlineData(0, 47, 0, 50, 10)]
    [InlineData(0, 1, 0, 1, 0.2)]
    [InlineData(0, 0, 0, 1, 0.2)]
    [InlineData(3, 3700, 0, 4000, 1000)]
    public void Axes_take_nice_ticks(double min, double max, double from, double to, double step)
    {
        var axis = Axis.Nice(min, max);
        Assert.Equal(from, axis.Min);
        Assert.Equal(to, axis.Max);
        Assert.Equal(step, Math.Round(axis.Ticks[1] - axis.Ticks[0], 10));
    }

    [Fact]
    public void Scores_bin_by_whole_number_for_a_judge_scale_and_in_tenths_between_0_and_1()
    {
        var (judge, judgeCounts) = ReportComposer.ScoreBins([[1, 2, 2, 5], [3]]);
        Assert.Equal(["1", "2", "3", "4", "5"], judge);
        Assert.Equal([1.0, 2, 0, 0, 1], judgeCounts[0]);
        Assert.Equal([0.0, 0, 1, 0, 0], judgeCounts[1]);
        var (unit, unitCounts) = ReportComposer.ScoreBins([[0.05, 0.95, 1.0, 0.5]]);
        Assert.Equal(10, unit.Count);
        Assert.Equal("0–0.1", unit[0]);
        Assert.Equal([1.0, 0, 0, 0, 0, 1, 0, 0, 0, 2], unitCounts[0]);
    }

    [Fact]
    public void Rates_are_per_second_within_a_session_and_restart_at_a_new_one()
    {
        TimelinePoint P(int session, double t, long done) => new(session, t, done, done, 0, 0, 0, 0, 0, 0, 0, 0, null);
        var rates = ReportComposer.Rate([P(1, 0, 0), P(1, 1, 10), P(1, 1.2, 11), P(1, 2, 30), P(2, 2, 30), P(2, 4, 40)], p => p.Succeeded);
        Assert.Equal([(1.0, 10.0), (2.0, 20.0), (4.0, 5.0)], rates);
    }

    [Theory]
    [InlineData("key sk-proj-abcdefghijklmnopqrstuv here", "key [redacted] here")]
    [InlineData("Authorization: Bearer abc.def-123", "Authorization: Bearer [redacted]")]
    [InlineData("url?api_key=12345&x=1", "url?api_key=[redacted]&x=1")]
    [InlineData("{\"password\": \"hunter2\"}", "{\"password\": \"[redacted]\"}")]
    [InlineData("a plain sentence about tokens and keys", "a plain sentence about tokens and keys")]
    public void Key_shaped_text_is_redacted(string text, string expected) => Assert.Equal(expected, Redaction.Clean(text));
}
