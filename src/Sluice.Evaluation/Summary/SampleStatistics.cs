namespace Sluice.Evaluation;

/// <summary>Mean, sample standard deviation and the two-sided 95 % Student-t critical value.</summary>
internal static class SampleStatistics
{
    // t(0.975, df) for df = 1…30.
    private static readonly double[] T975 =
    [
        12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135,
        2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546, 2.119905299,
        2.109815578, 2.100922040, 2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562,
        2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
    ];

    private const double Z975 = 1.959963984540054;

    /// <summary>The sample standard deviation (n − 1 in the denominator); needs at least two values.</summary>
    public static double StdDev(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (values.Count - 1));
    }

    /// <summary>The 97.5th percentile of Student's t with <paramref name="degreesOfFreedom"/> (tabulated to 30, then the
    /// Cornish–Fisher expansion, accurate to better than 1e-5 there).</summary>
    public static double TCritical95(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        if (degreesOfFreedom <= T975.Length)
        {
            return T975[degreesOfFreedom - 1];
        }

        double z = Z975, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z, v = degreesOfFreedom;
        var g1 = (z3 + z) / 4;
        var g2 = ((5 * z5) + (16 * z3) + (3 * z)) / 96;
        var g3 = ((3 * z7) + (19 * z5) + (17 * z3) - (15 * z)) / 384;
        var g4 = ((79 * z9) + (776 * z7) + (1482 * z5) - (1920 * z3) - (945 * z)) / 92160;
        return z + (g1 / v) + (g2 / (v * v)) + (g3 / (v * v * v)) + (g4 / (v * v * v * v));
    }
}
