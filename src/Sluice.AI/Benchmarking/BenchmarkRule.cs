namespace Sluice.AI;

/// <summary>
/// When a benchmark sweep stops early, and which setting it recommends. A step is <em>clean</em> when the share of its
/// requests that were refused (429) or failed is at most <see cref="MaxRejectedShare"/>; the recommendation is the
/// smallest clean setting whose throughput (successful inputs per second) reaches <see cref="PlateauFraction"/> of the
/// best clean throughput: past it, more concurrency (or a larger group) buys little and costs latency and 429s.
/// </summary>
public sealed record BenchmarkRule
{
    /// <summary>Gets the fraction of the best clean throughput that the recommended setting must reach.</summary>
    /// <value>Default 0.9. Above 0 and at most 1.</value>
    public double PlateauFraction { get; init; } = 0.9;

    /// <summary>Gets the largest share of a step's requests that may be refused (429) or fail for the step to count as clean.</summary>
    /// <value>Default 0.02 (2 %). From 0 to 1.</value>
    public double MaxRejectedShare { get; init; } = 0.02;

    /// <summary>Gets the gain over the best earlier step below which a step counts as flat: the sweep stops after a flat step.</summary>
    /// <value>Default 0.10 (the step must beat the best earlier throughput by 10 %). Zero or more.</value>
    public double MinGain { get; init; } = 0.10;

    /// <summary>Gets the share of refused (429) or failed requests in a step above which the sweep stops: pushing harder
    /// only spends the provider's quota.</summary>
    /// <value>Default 0.10 (10 %). From 0 to 1.</value>
    public double StopRejectedShare { get; init; } = 0.10;

    /// <summary>Gets whether the sweep stops after a flat step, or a step above <see cref="StopRejectedShare"/>.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool StopEarly { get; init; } = true;

    /// <summary>Whether a step's refused and failed share is within <see cref="MaxRejectedShare"/> and it had a success.</summary>
    /// <param name="step">The measured step.</param>
    /// <returns><see langword="true"/> when the step is clean.</returns>
    public bool IsClean(BenchmarkMeasurement step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Succeeded > 0 && step.RejectedShare <= MaxRejectedShare;
    }

    /// <summary>Why the sweep should stop after the last of <paramref name="steps"/>, or <see langword="null"/> to go on.</summary>
    /// <param name="steps">The steps measured so far, in sweep order (rising concurrency or group size).</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? StopReason(IReadOnlyList<BenchmarkMeasurement> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (!StopEarly || steps.Count == 0)
        {
            return null;
        }

        var last = steps[^1];
        if (last.RejectedShare > StopRejectedShare)
        {
            return $"{Percent(last.RejectedShare)} of the requests at {last.Setting} were refused (429) or failed";
        }

        if (steps.Count >= 2)
        {
            double bestBefore = steps.Take(steps.Count - 1).Max(s => s.InputsPerSecond);
            if (last.InputsPerSecond < (1 + MinGain) * bestBefore)
            {
                return $"throughput stopped rising at {last.Setting} (less than {Percent(MinGain)} over the best before it)";
            }
        }

        return null;
    }

    /// <summary>The recommended concurrency among <paramref name="steps"/> of a concurrency sweep.</summary>
    /// <param name="steps">The measured steps, rising concurrency.</param>
    /// <returns>The recommendation: the setting and the reason, or no setting and why.</returns>
    public BenchmarkChoice ChooseConcurrency(IReadOnlyList<BenchmarkMeasurement> steps) =>
        Choose(steps, s => s.Concurrency, "concurrency");

    /// <summary>The recommended group size among <paramref name="steps"/> of a group-size sweep.</summary>
    /// <param name="steps">The measured steps, rising group size.</param>
    /// <returns>The recommendation: the setting and the reason, or no setting and why.</returns>
    public BenchmarkChoice ChooseGroupSize(IReadOnlyList<BenchmarkMeasurement> steps) =>
        Choose(steps, s => s.GroupSize, "group size");

    /// <summary>Throws when a value is out of range, naming it.</summary>
    internal void Validate(string path = nameof(BenchmarkRule))
    {
        OptionsCheck.Require(PlateauFraction is > 0 and <= 1, path, nameof(PlateauFraction), PlateauFraction, "above 0 and at most 1");
        OptionsCheck.Require(MaxRejectedShare is >= 0 and <= 1, path, nameof(MaxRejectedShare), MaxRejectedShare, "from 0 to 1");
        OptionsCheck.Require(MinGain is >= 0 && double.IsFinite(MinGain), path, nameof(MinGain), MinGain, "zero or more");
        OptionsCheck.Require(StopRejectedShare is >= 0 and <= 1, path, nameof(StopRejectedShare), StopRejectedShare, "from 0 to 1");
    }

    private BenchmarkChoice Choose(IReadOnlyList<BenchmarkMeasurement> steps, Func<BenchmarkMeasurement, int> setting, string name)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var ordered = steps.OrderBy(setting).ToList();
        var clean = ordered.Where(IsClean).ToList();
        if (clean.Count == 0)
        {
            return ordered.Count == 0
                ? new BenchmarkChoice(null, "nothing was measured")
                : new BenchmarkChoice(null, $"no {name} measured was clean: every step had more than {Percent(MaxRejectedShare)} of its requests refused (429) or failed, or no success");
        }

        string unit = ordered.All(s => s.GroupSize == 1) ? "requests/s" : "texts/s";
        double best = clean.Max(s => s.InputsPerSecond);
        var pick = clean.First(s => s.InputsPerSecond >= PlateauFraction * best);
        var bestStep = clean.First(s => s.InputsPerSecond == best);
        int index = ordered.IndexOf(pick);
        string reach = ReferenceEquals(pick, bestStep)
            ? $"the highest throughput measured ({Rate(pick.InputsPerSecond)} {unit})"
            : $"{pick.InputsPerSecond / best:0.00}× the best throughput ({Rate(best)} {unit} at {name} {setting(bestStep)})";
        if (index == ordered.Count - 1)
        {
            return new BenchmarkChoice(setting(pick), $"{name} {setting(pick)} gave {reach}, and it is the largest {name} measured: throughput may still rise beyond it (sweep higher to find out)");
        }

        var next = ordered[index + 1];
        string beyond;
        if (next.RateLimitedShare > MaxRejectedShare)
        {
            beyond = $"at {setting(next)} {Percent(next.RateLimitedShare)} of the requests got 429";
        }
        else if (next.ErrorShare > MaxRejectedShare)
        {
            beyond = $"at {setting(next)} {Percent(next.ErrorShare)} of the requests failed";
        }
        else
        {
            string latency = next.LatencyP50Ms is { } after && pick.LatencyP50Ms is { } before && before > 0
                ? $" while p50 latency went {after / before:0.0}×"
                : string.Empty;
            beyond = $"throughput stops rising: {setting(next)} gave {next.InputsPerSecond / pick.InputsPerSecond:0.00}× its throughput{latency}";
        }

        return new BenchmarkChoice(setting(pick), $"{name} {setting(pick)} gave {reach}; {beyond}");
    }

    private static string Percent(double share) => (share * 100).ToString(share < 0.1 ? "0.#" : "0", System.Globalization.CultureInfo.InvariantCulture) + " %";

    private static string Rate(double value) => value.ToString(value < 100 ? "0.0" : "N0", System.Globalization.CultureInfo.InvariantCulture);
}
