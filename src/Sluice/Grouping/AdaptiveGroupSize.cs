using System.Diagnostics.Metrics;

namespace Sluice;

/// <summary>
/// Chooses how many items to send together in one call (the group size, often called "batch size") by measuring
/// the cost of each group per weight unit (for a model: per token position) and hill-climbing: the size grows while
/// the cost per unit falls, and shrinks when it rises, always within [<see cref="AdaptiveGroupSizeOptions.MinSize"/>,
/// <see cref="AdaptiveGroupSizeOptions.MaxSize"/>]. A caller also bounds each group by its own weight limit (tokens per
/// request); the sizer only ever proposes a count. Thread-safe: several workers may take sizes and record groups at once.
/// </summary>
/// <remarks>The chosen size is recorded on the <c>Sluice</c> meter as the histogram <c>sluice.group.size</c>
/// (tag <c>sluice.group.sizer</c> = <see cref="AdaptiveGroupSizeOptions.Name"/>) each time a group is recorded.</remarks>
public sealed class AdaptiveGroupSize
{
    private readonly AdaptiveGroupSizeOptions _options;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly double[] _samples;
    private readonly Lock _gate = new();
    private int _sampleCount;
    private int _size;
    private int _direction = 1;
    private double? _previousCost;
    private int _steps;

    /// <summary>Creates a sizer.</summary>
    /// <param name="options">The bounds and step settings; defaults when <see langword="null"/>.</param>
    public AdaptiveGroupSize(AdaptiveGroupSizeOptions? options = null)
    {
        _options = (options ?? new AdaptiveGroupSizeOptions()).Validate();
        _size = Math.Clamp(_options.InitialSize, _options.MinSize, _options.MaxSize);
        _samples = new double[_options.SamplesPerStep];
        _tag = new("sluice.group.sizer", _options.Name);
    }

    /// <summary>Gets the group size to use for the next group.</summary>
    public int Current
    {
        get
        {
            lock (_gate)
            {
                return _size;
            }
        }
    }

    /// <summary>Gets how many times the size has been changed (grown or shrunk) so far.</summary>
    public int Steps
    {
        get
        {
            lock (_gate)
            {
                return _steps;
            }
        }
    }

    /// <summary>Gets the settings in force.</summary>
    public AdaptiveGroupSizeOptions Options => _options;

    /// <summary>Takes a timestamp from the configured clock, to pass to <see cref="RecordSince"/> when the group is done.</summary>
    /// <returns>The timestamp.</returns>
    public long Start() => _options.TimeProvider.GetTimestamp();

    /// <summary>Records a group that started at <paramref name="startTimestamp"/> (from <see cref="Start"/>) and ended now.</summary>
    /// <param name="startTimestamp">The value <see cref="Start"/> returned before the call.</param>
    /// <param name="count">Items in the group.</param>
    /// <param name="weight">The group's weight, for example token positions including padding; must be positive.</param>
    public void RecordSince(long startTimestamp, int count, long weight) =>
        Record(count, weight, _options.TimeProvider.GetElapsedTime(startTimestamp));

    /// <summary>Records how long one group of <paramref name="count"/> items and <paramref name="weight"/> weight units
    /// took, and moves the size once <see cref="AdaptiveGroupSizeOptions.SamplesPerStep"/> groups have been measured.</summary>
    /// <param name="count">Items in the group; must be positive.</param>
    /// <param name="weight">The group's weight (token positions including padding, or the item count); must be positive.</param>
    /// <param name="elapsed">How long the call took; must not be negative.</param>
    public void Record(int count, long weight, TimeSpan elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, TimeSpan.Zero);
        int size;
        lock (_gate)
        {
            // A short group (the tail of the input, or one cut by a weight limit) says little about the chosen size.
            if (count * 2 >= _size)
            {
                _samples[_sampleCount++] = elapsed.Ticks / (double)weight;
                if (_sampleCount == _samples.Length)
                {
                    Decide(Median(_samples));
                    _sampleCount = 0;
                }
            }

            size = _size;
        }

        GroupingMetrics.GroupSize.Record(size, _tag);
    }

    private void Decide(double cost)
    {
        double tolerance = _options.Tolerance;
        if (_previousCost is { } previous)
        {
            if (cost > previous * (1 + tolerance))
            {
                _direction = -_direction; // the last step made things worse: go back the other way
            }
            else if (cost >= previous * (1 - tolerance))
            {
                _previousCost = cost; // flat: hold this size
                return;
            }
        }

        _previousCost = cost;
        int next = _direction > 0
            ? Math.Max(_size + 1, (int)Math.Ceiling(_size * _options.StepFactor))
            : Math.Min(_size - 1, (int)Math.Floor(_size / _options.StepFactor));
        next = Math.Clamp(next, _options.MinSize, _options.MaxSize);
        if (next == _size)
        {
            _direction = -_direction; // at a bound: the next step (if any) explores the other way
            return;
        }

        _size = next;
        _steps++;
    }

    private static double Median(double[] values)
    {
        Span<double> sorted = values.Length <= 32 ? stackalloc double[values.Length] : new double[values.Length];
        values.CopyTo(sorted);
        sorted.Sort();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>The grouping instruments on the shared <c>Sluice</c> meter.</summary>
internal static class GroupingMetrics
{
    internal static readonly Histogram<int> GroupSize =
        SluiceDiagnostics.Meter.CreateHistogram<int>("sluice.group.size", "{item}", "The group size an adaptive sizer chose, recorded per group.");
}
