namespace Sluice.Reporting;

/// <summary>A linear axis with "nice" ticks (1, 2 or 5 times a power of ten) covering a data range.</summary>
internal sealed record Axis(double Min, double Max, IReadOnlyList<double> Ticks)
{
    public static Axis Nice(double min, double max, int targetTicks = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            min = 0;
            max = 1;
        }

        if (max <= min)
        {
            max = min + (min == 0 ? 1 : Math.Abs(min));
        }

        double raw = (max - min) / targetTicks;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = power * (raw / power <= 1 ? 1 : raw / power <= 2 ? 2 : raw / power <= 5 ? 5 : 10);
        double start = Math.Floor(min / step) * step, end = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step / 2; t += step)
        {
            ticks.Add(Math.Round(t, 10));
        }

        return new Axis(start, end, ticks);
    }

    /// <summary>Where <paramref name="value"/> falls between <paramref name="from"/> (at <see cref="Min"/>) and
    /// <paramref name="to"/> (at <see cref="Max"/>).</summary>
    public double Scale(double value, double from, double to) => from + ((value - Min) / (Max - Min) * (to - from));
}
