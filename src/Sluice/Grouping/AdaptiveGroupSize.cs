using System.Diagnostics.Metrics;

namespace Sluice;

/// <summary>
/// Chooses how many items to send together in one call (the group size, often called "batch size") by measuring
/// the cost of each group per weight unit (for a model: per token position) and hill-climbing with paired trials:
/// while a trial runs, groups alternate between the size in force and a candidate one step away, and the candidate
/// replaces it only when its median cost per unit is lower by more than <see cref="AdaptiveGroupSizeOptions.Tolerance"/>.
/// Sizes stay within [<see cref="AdaptiveGroupSizeOptions.MinSize"/>, <see cref="AdaptiveGroupSizeOptions.MaxSize"/>].
/// A caller also bounds each group by its own weight limit (tokens per request); the sizer only ever proposes a count.
/// Thread-safe: several workers may take sizes and record groups at once.
/// </summary>
/// <remarks>
/// <para>Why paired trials: the cost per unit also depends on the items themselves (on length-sorted text, the cost
/// per token position rises with the texts' length as the input goes on). Comparing a size measured now with another
/// measured earlier would read that drift as an effect of the size; groups of the two sizes taken in turn see items
/// of nearly the same length, so only the size differs.</para>
/// <para>When trials in both directions fail, the sizer holds its size for
/// <see cref="AdaptiveGroupSizeOptions.SamplesPerStep"/> × 8 groups, then tries again (the best size can change as the
/// items change); each further rest without a step in between is twice as long, up to × 32 groups, so a settled sizer
/// spends few groups on sizes it has measured worse. After a step, the sizer does not try the size it just left again
/// (it lost that trial): when the next trial onward fails, it rests at once. The chosen size is recorded on the <c>Sluice</c> meter as the histogram <c>sluice.group.size</c>
/// (tag <c>sluice.group.sizer</c> = <see cref="AdaptiveGroupSizeOptions.Name"/>) each time a group is recorded.</para>
/// </remarks>
public sealed class AdaptiveGroupSize
{
    private const int RestFactor = 8;
    private const int MaxRestDoublings = 2;
    private const int TrialPatience = 6;

    private readonly AdaptiveGroupSizeOptions _options;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly List<double> _heldSamples = [];
    private readonly List<double> _trialSamples = [];
    private readonly Lock _gate = new();
    private int _size;
    private int _trial;
    private int _direction = 1;
    private int _failures;
    private int _counted;
    private int _trialStartedAt;
    private int _restUntil;
    private int _steps;
    private int _cameFrom; // the size held before the last step (it lost that trial), or 0
    private int _rests;    // rests since the last step: each one is twice as long as the one before

    /// <summary>Creates a sizer.</summary>
    /// <param name="options">The bounds and step settings; defaults when <see langword="null"/>.</param>
    public AdaptiveGroupSize(AdaptiveGroupSizeOptions? options = null)
    {
        _options = (options ?? new AdaptiveGroupSizeOptions()).Validate();
        _size = Math.Clamp(_options.InitialSize, _options.MinSize, _options.MaxSize);
        _tag = new("sluice.group.sizer", _options.Name);
        StartTrial();
    }

    /// <summary>Gets the group size to use for the next group. While a trial runs this is, in turn, the size in force
    /// and the candidate (in the order A B B A, so neither side is always the later one); reading it changes nothing.</summary>
    public int Current
    {
        get
        {
            lock (_gate)
            {
                return _trial != 0 && TrialTurn(_counted - _trialStartedAt) ? _trial : _size;
            }
        }
    }

    /// <summary>Gets the size in force: what <see cref="Current"/> returns outside trials, and on the held side of a
    /// trial (never the candidate).</summary>
    public int SizeInForce
    {
        get
        {
            lock (_gate)
            {
                return _size;
            }
        }
    }

    /// <summary>Gets how many times the size in force has changed (a candidate won its trial) so far.</summary>
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
    /// took. The group counts for the size in force or for the candidate, whichever is the smallest at least
    /// <paramref name="count"/> (a group cut short by a weight limit still counts for the size it was taken at); a
    /// group under half that size (the tail of the input) is not counted.</summary>
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
            double cost = elapsed.Ticks / (double)weight;
            bool forTrial = _trial != 0 && count <= _trial && (count > _size || _trial < _size);
            int armSize = forTrial ? _trial : _size;
            if (count * 2 >= armSize)
            {
                _counted++;
                (forTrial ? _trialSamples : _heldSamples).Add(cost);

                Decide();
            }

            size = _size;
        }

        GroupingMetrics.GroupSize.Record(size, _tag);
    }

    private void Decide()
    {
        if (_trial == 0)
        {
            if (_counted >= _restUntil)
            {
                _failures = 0;
                _cameFrom = 0; // after a rest the items may have changed: every neighbour is worth a trial again
                StartTrial();
            }

            return;
        }

        // Decide after whole A B B A cycles: then, under a steady drift in the items' cost, the two medians sit at
        // the same point in time and only the size differs.
        int sinceStart = _counted - _trialStartedAt;
        if (_trialSamples.Count < _options.SamplesPerStep || _heldSamples.Count < _options.SamplesPerStep || sinceStart % 4 != 0)
        {
            if (sinceStart >= TrialPatience * _options.SamplesPerStep * 2)
            {
                Fail(); // the candidate never got enough whole groups (a weight limit cuts them): give it up
            }

            return;
        }

        double held = Median(_heldSamples);
        double trial = Median(_trialSamples);
        if (trial < held * (1 - _options.Tolerance))
        {
            _cameFrom = _size;
            _size = _trial;
            _steps++;
            _failures = 0;
            _rests = 0;
            StartTrial();
        }
        else
        {
            Fail();
        }
    }

    private void Fail()
    {
        _direction = -_direction;
        if (++_failures >= 2 || Candidate(_direction) == _cameFrom)
        {
            // Neither direction helps (or the other one is the size just left, which lost its trial): hold for a
            // while, then look again; longer each time nothing is found.
            _trial = 0;
            _restUntil = _counted + ((RestFactor * _options.SamplesPerStep) << Math.Min(_rests, MaxRestDoublings));
            _rests++;
            return;
        }

        StartTrial();
    }

    private int Candidate(int direction)
    {
        int next = direction > 0
            ? Math.Max(_size + 1, (int)Math.Ceiling(_size * _options.StepFactor))
            : Math.Min(_size - 1, (int)Math.Floor(_size / _options.StepFactor));
        return Math.Clamp(next, _options.MinSize, _options.MaxSize);
    }

    private void StartTrial()
    {
        _trial = 0;
        _trialSamples.Clear();
        _heldSamples.Clear(); // both sides of a trial are measured on the same stretch of items
        _trialStartedAt = _counted;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            int next = Candidate(_direction);
            if (next != _size)
            {
                _trial = next;
                return;
            }

            _direction = -_direction; // at a bound: explore the other way
        }
    }

    // A B B A A B B A …: over any four groups each side goes first and last equally often.
    private static bool TrialTurn(int index) => (((index >> 1) ^ index) & 1) == 1;

    private static double Median(List<double> values)
    {
        Span<double> sorted = values.Count <= 64 ? stackalloc double[values.Count] : new double[values.Count];
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
