namespace Sluice.Evaluation;

/// <summary>Optional passing thresholds on scores in [0, 1].</summary>
internal static class UnitThreshold
{
    public static double? Validate(double? threshold, string name)
    {
        if (threshold is double t && !(t >= 0 && t <= 1))
        {
            throw new ArgumentOutOfRangeException(name, t, "The passing threshold must be within [0, 1].");
        }

        return threshold;
    }

    /// <summary>The value, itself as the normalised score, and passing when a threshold is set.</summary>
    public static (double Value, double Normalised, bool? Passing) Score(double value, double? threshold) =>
        (value, value, threshold is double t ? value >= t : null);
}
