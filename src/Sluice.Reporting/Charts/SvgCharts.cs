using System.Globalization;
using System.Net;
using System.Text;

namespace Sluice.Reporting;

/// <summary>Draws charts as inline SVG, sized by their <c>width</c> and <c>height</c> attributes and scaled by their
/// <c>viewBox</c>; each SVG is an image labelled by its title (<c>role="img"</c>, <c>aria-labelledby</c>) and comes
/// with its data as a table.</summary>
internal static class SvgCharts
{
    public const int Width = 640;
    public const int Height = 280;
    private const int Left = 64, Right = 16, Top = 34, Bottom = 46;

    /// <summary>The palette: run A's colours first, run B's second (chosen to stay apart for common colour blindness).</summary>
    public static readonly string[] Colors = ["#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#0b7285", "#e8590c"];

    /// <summary>The most rows of a chart's table; longer series are thinned evenly (the JSON block keeps them all).</summary>
    public const int MaxTableRows = 40;

    /// <summary>The most points drawn of one line; longer series are thinned evenly.</summary>
    public const int MaxLinePoints = 800;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static Chart Line(string id, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        var x = Axis.Nice(all.Count == 0 ? 0 : all.Min(p => p.X), all.Count == 0 ? 1 : all.Max(p => p.X));
        var y = Axis.Nice(Math.Min(0, all.Count == 0 ? 0 : all.Min(p => p.Y)), all.Count == 0 ? 1 : all.Max(p => p.Y));
        var svg = Open(id, title);
        Frame(svg, x, y, xLabel, yLabel);
        foreach (var s in series)
        {
            var points = Thin(s.Points, MaxLinePoints);
            if (points.Count == 0)
            {
                continue;
            }

            svg.Append(C, $"<polyline fill=\"none\" stroke=\"{Colors[s.Color % Colors.Length]}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"");
            foreach (var (px, py) in points)
            {
                svg.Append(C, $"{X(x, px):0.#},{Y(y, py):0.#} ");
            }

            svg.Append("\"/>");
            if (points.Count == 1)
            {
                svg.Append(C, $"<circle cx=\"{X(x, points[0].X):0.#}\" cy=\"{Y(y, points[0].Y):0.#}\" r=\"3\" fill=\"{Colors[s.Color % Colors.Length]}\"/>");
            }
        }

        Legend(svg, series.Select(s => (s.Name, s.Color, s.Dashed)).ToList());
        NoData(svg, all.Count == 0);
        svg.Append("</svg>");

        var rows = new List<IReadOnlyList<string>>();
        bool thinned = false;
        foreach (var s in series)
        {
            var kept = Thin(s.Points, MaxTableRows);
            thinned |= kept.Count < s.Points.Count;
            rows.AddRange(kept.Select(p => (IReadOnlyList<string>)[s.Name, Number(p.X), Number(p.Y)]));
        }

        return new Chart(id, title, svg.ToString(), new DataTable(["series", xLabel, yLabel], rows,
            thinned ? $"at most {MaxTableRows} evenly spaced rows per series; the JSON block holds every sample" : null));
    }

    public static Chart Bars(string id, string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series)
    {
        double max = series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max();
        var y = Axis.Nice(0, max);
        var svg = Open(id, title);
        Frame(svg, null, y, xLabel, yLabel);
        double plot = Width - Left - Right, slot = categories.Count == 0 ? plot : plot / categories.Count;
        double bar = Math.Max(1, (slot * 0.8) / Math.Max(1, series.Count));
        int labelEvery = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (int i = 0; i < categories.Count; i++)
        {
            double x0 = Left + (i * slot) + (slot * 0.1);
            for (int s = 0; s < series.Count; s++)
            {
                double value = series[s].Values[i];
                double top = Y(y, value), bottom = Y(y, 0);
                svg.Append(C, $"<rect x=\"{x0 + (s * bar):0.#}\" y=\"{top:0.#}\" width=\"{bar:0.#}\" height=\"{Math.Max(0, bottom - top):0.#}\" fill=\"{Colors[series[s].Color % Colors.Length]}\"><title>{Escape(series[s].Name)} {Escape(categories[i])}: {Number(value)}</title></rect>");
            }

            if (i % labelEvery == 0)
            {
                svg.Append(C, $"<text x=\"{x0 + (slot * 0.4):0.#}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\" font-size=\"10\">{Escape(categories[i])}</text>");
            }
        }

        Legend(svg, series.Select(s => (s.Name, s.Color, false)).ToList());
        NoData(svg, max == 0);
        svg.Append("</svg>");
        var headers = new List<string> { xLabel };
        headers.AddRange(series.Select(s => s.Name));
        var rows = categories.Select((c, i) => (IReadOnlyList<string>)[c, .. series.Select(s => Number(s.Values[i]))]).ToList();
        return new Chart(id, title, svg.ToString(), new DataTable(headers, rows));
    }

    public static string Number(double value) =>
        Math.Abs(value) >= 1000 || value == Math.Floor(value) ? value.ToString("#,0.##", C) : value.ToString("0.###", C);

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>At most <paramref name="limit"/> points, evenly spaced, the first and the last always kept.</summary>
    public static IReadOnlyList<(double X, double Y)> Thin(IReadOnlyList<(double X, double Y)> points, int limit)
    {
        if (points.Count <= limit)
        {
            return points;
        }

        var kept = new List<(double, double)>(limit);
        for (int i = 0; i < limit; i++)
        {
            kept.Add(points[(int)Math.Round(i * (points.Count - 1) / (double)(limit - 1))]);
        }

        return kept;
    }

    private static StringBuilder Open(string id, string title)
    {
        var svg = new StringBuilder();
        svg.Append(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title\" font-family=\"system-ui, sans-serif\">");
        svg.Append(C, $"<title id=\"{id}-title\">{Escape(title)}</title>");
        svg.Append(C, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>");
        return svg;
    }

    private static void Frame(StringBuilder svg, Axis? x, Axis y, string xLabel, string yLabel)
    {
        foreach (double tick in y.Ticks)
        {
            double py = Y(y, tick);
            svg.Append(C, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{py:0.#}\" y2=\"{py:0.#}\" stroke=\"#e5e5e5\"/>");
            svg.Append(C, $"<text x=\"{Left - 6}\" y=\"{py + 4:0.#}\" text-anchor=\"end\" font-size=\"11\">{Escape(Number(tick))}</text>");
        }

        if (x is not null)
        {
            foreach (double tick in x.Ticks)
            {
                double px = X(x, tick);
                svg.Append(C, $"<line x1=\"{px:0.#}\" x2=\"{px:0.#}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom + 4}\" stroke=\"#555\"/>");
                svg.Append(C, $"<text x=\"{px:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{Escape(Number(tick))}</text>");
            }
        }

        svg.Append(C, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#555\"/>");
        svg.Append(C, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#555\"/>");
        svg.Append(C, $"<text x=\"{Left + ((Width - Left - Right) / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\" font-size=\"12\">{Escape(xLabel)}</text>");
        svg.Append(C, $"<text transform=\"translate(14 {Top + ((Height - Top - Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{Escape(yLabel)}</text>");
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<(string Name, int Color, bool Dashed)> entries)
    {
        double x = Left;
        foreach (var (name, color, dashed) in entries)
        {
            svg.Append(C, $"<line x1=\"{x:0.#}\" x2=\"{x + 18:0.#}\" y1=\"14\" y2=\"14\" stroke=\"{Colors[color % Colors.Length]}\" stroke-width=\"3\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>");
            svg.Append(C, $"<text x=\"{x + 22:0.#}\" y=\"18\" font-size=\"12\">{Escape(name)}</text>");
            x += 34 + (name.Length * 6.5);
        }
    }

    private static void NoData(StringBuilder svg, bool empty)
    {
        if (empty)
        {
            svg.Append(C, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#777\">no data</text>");
        }
    }

    private static double X(Axis x, double value) => x.Scale(value, Left, Width - Right);

    private static double Y(Axis y, double value) => y.Scale(value, Height - Bottom, Top);
}
