namespace Sluice.AI;

/// <summary>
/// A <see cref="ConcurrencyLimit"/> that finds the concurrency a provider sustains: it starts fast (doubling once per
/// round trip, as TCP's slow start, until queueing is confirmed or overload is signalled), halves on overload (AIMD: a
/// 429 or a 503, at most once per round trip), and otherwise follows a Gradient2-style latency signal. Latency counts as
/// rising when a round is slower than the long-run mean by 1.5× or more, or two rounds in a row by more than the
/// tolerance: one round a little slower is noise (slow start holds the limit for a round instead of ending). An attempt
/// timeout counts as overload only when latency is rising or when timeouts are more than
/// <see cref="AdaptiveConcurrencyOptions.TimeoutShare"/> of the attempts of a round in which at least half the limit was
/// in use: hung requests on a healthy provider are faults, not congestion.
/// </summary>
/// <remarks>
/// <para>LLM latency grows with output length, so raw latency says little about queueing. Each sample is therefore
/// compared with the best latency ever seen for its output-length class (powers of two of output tokens): the ratio
/// is the latency normalised per output length. Once per round (about one round trip (as many samples as the
/// limit, at least 8 samples) the round's median ratio, or the last round's when that is lower, gives the gradient
/// <c>clamp(Tolerance ÷ ratio, 0.5, 1)</c>, and the limit moves a <see cref="AdaptiveConcurrencyOptions.Smoothing"/> share
/// of the way toward <c>limit × gradient + √limit</c>: a round slowed by a pause of the client's own is not followed by
/// another, queueing at the provider is.</para>
/// <para>Rounds are counted as TCP counts them: after a doubling, the answers to attempts started before it are left out,
/// so the next round judges the doubled limit. Slow start that ended on one clearly slower round resumes when two later
/// rounds, in a row or not, are back at the usual latency before two rounds in a row are slower (the exit was a pause of
/// the client's, such as start-up or new connections, not queueing), as RFC 9406's conservative slow start does.</para>
/// <para>The limit grows only while at least half of it is in use (an idle client learns nothing about capacity),
/// never leaves [<see cref="AdaptiveConcurrencyOptions.MinLimit"/>, <see cref="AdaptiveConcurrencyOptions.MaxLimit"/>],
/// and is observable as <see cref="ConcurrencyLimit.CurrentLimit"/>, in <see cref="BatchProgress.ConcurrencyLimit"/> when a batch uses
/// it, and on the <c>sluice.ai.concurrency.limit</c> gauge. Waiters are served first come, first served.</para>
/// </remarks>
public sealed class AdaptiveConcurrencyLimit : CountedConcurrencyLimit
{
    private const int LengthClasses = 24;
    private const double RatioWeight = 0.1;
    private const int MinimumRound = 8;
    private const double ClearRise = 1.5; // a round this much slower than usual is queueing, not noise
    private const int ExitChecks = 2; // calm rounds (in a row or not) after a one-round exit from slow start that resume it
    private readonly AdaptiveConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly double[] _bestLatency = new double[LengthClasses];
    private double _limit;
    private double[] _roundRatios = new double[MinimumRound];
    private int _roundSamples;
    private int _roundPeakInFlight;
    private int _roundTimeouts;
    private double _latency;
    private double _usualRatio;
    private int _risingRounds; // consecutive rounds slower than usual by more than the tolerance
    private bool _clearlyRising; // the last round was slower than usual by ClearRise or more
    private long _lastBackoff;
    private bool _slowStart = true;
    private int _exitChecks; // calm rounds still wanted to undo an exit from slow start that one clearly slower round caused
    private int _staleSamples; // answers still to come from attempts started before the last doubling
    private double _previousRatio; // the last round's ratio

    /// <summary>Creates an adaptive limit.</summary>
    /// <param name="options">Bounds and tuning; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for the backoff cooldown; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public AdaptiveConcurrencyLimit(AdaptiveConcurrencyOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = (options ?? new AdaptiveConcurrencyOptions()).Clone(); // later changes to the caller's options do not reach a running limit
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _limit = _options.InitialLimit;
        _lastBackoff = long.MinValue / 2;
        AiMetrics.Limit(_options.InitialLimit);
    }

    /// <summary>Gets the limit before rounding down, for diagnostics.</summary>
    public double ExactLimit
    {
        get { return Volatile.Read(ref _limit); }
    }

    /// <inheritdoc />
    public override int MaximumLimit => _options.MaxLimit;

    /// <inheritdoc />
    protected override int SlotsLocked => Math.Max(_options.MinLimit, (int)_limit);

    /// <inheritdoc />
    protected override void OnReleaseLocked(in ConcurrencyFeedback feedback, int inFlight)
    {
        int before = SlotsLocked;
        Learn(feedback, inFlight);
        if (SlotsLocked != before)
        {
            AiMetrics.Limit(SlotsLocked);
        }
    }

    private void Learn(in ConcurrencyFeedback feedback, int inFlight)
    {
        double seconds = feedback.Elapsed.TotalSeconds;
        if (feedback.Overloaded)
        {
            BackOff();
            return;
        }

        if (feedback.TimedOut)
        {
            // A timeout is congestion only when latency is rising (LatencyRising); with flat latency it is a fault (a
            // hung request), counted, and judged at the end of the round by its share.
            if (LatencyRising)
            {
                BackOff();
                return;
            }

            if (_staleSamples > 0)
            {
                _staleSamples--;
                return;
            }

            _roundTimeouts++;
            _roundPeakInFlight = Math.Max(_roundPeakInFlight, inFlight);
            if (_roundSamples == 0 && _roundTimeouts >= RoundSize)
            {
                // A whole round of attempts and not one answered in time: the provider is not keeping up.
                _roundTimeouts = 0;
                _roundPeakInFlight = 0;
                BackOff();
                return;
            }

            if (_roundSamples > 0 && _roundSamples + _roundTimeouts >= RoundSize)
            {
                CloseRound(inFlight);
            }

            return;
        }

        if (!feedback.Succeeded || seconds <= 0)
        {
            return;
        }

        _latency = _latency == 0 ? seconds : (_latency * (1 - RatioWeight)) + (seconds * RatioWeight);
        int lengthClass = LengthClass(feedback.Units);
        double best = _bestLatency[lengthClass];
        if (best == 0 || seconds < best)
        {
            _bestLatency[lengthClass] = best = seconds;
        }

        // Samples are gathered over a round of about one round trip (as many samples as the limit) and the limit
        // moves once per round: moving on every sample overshoots, because latency answers a change a round trip late.
        if (_staleSamples > 0)
        {
            _staleSamples--; // started under the limit before the doubling: it says nothing about the new one
            return;
        }

        if (_roundSamples == _roundRatios.Length)
        {
            Array.Resize(ref _roundRatios, _roundSamples * 2);
        }

        _roundRatios[_roundSamples++] = seconds / best;
        _roundPeakInFlight = Math.Max(_roundPeakInFlight, inFlight);
        if (_roundSamples + _roundTimeouts >= RoundSize)
        {
            CloseRound(inFlight);
        }
    }

    /// <summary>
    /// Whether latency is rising: the last round slower than usual by <see cref="ClearRise"/> or more, or the last two
    /// slower than usual by more than the tolerance. "Usual" is the long-run mean, not the best ever seen, and one round
    /// a little slower is not enough: on a shared machine latency is noisy, and a client's own load (or a few hung
    /// requests on a busy host) makes single rounds slower without any queueing at the provider.
    /// </summary>
    private bool LatencyRising => _clearlyRising || _risingRounds >= 2;

    /// <summary>The attempts one round gathers: about one round trip, as many as the limit, at least 8.</summary>
    private int RoundSize => Math.Max(MinimumRound, (int)_limit);

    /// <summary>Judges a finished round (at least one answered attempt) and moves the limit.</summary>
    private void CloseRound(int inFlight)
    {
        double ratio = RoundRatio();
        double previous = _previousRatio > 0 ? _previousRatio : ratio;
        _previousRatio = ratio;
        int peak = _roundPeakInFlight;
        double timeoutShare = (double)_roundTimeouts / (_roundTimeouts + _roundSamples);
        _roundSamples = 0;
        _roundPeakInFlight = 0;
        _roundTimeouts = 0;
        bool slower = _usualRatio > 0 && ratio > _usualRatio * _options.Tolerance; // slower than usual: queueing, or noise
        _clearlyRising = _usualRatio > 0 && ratio >= _usualRatio * Math.Max(ClearRise, _options.Tolerance);
        _risingRounds = slower ? _risingRounds + 1 : 0;
        _usualRatio = _usualRatio == 0 ? ratio : (_usualRatio * (1 - RatioWeight)) + (ratio * RatioWeight);
        if (timeoutShare > _options.TimeoutShare && peak >= _limit / 2)
        {
            // More timeouts than random faults explain while the limit was in use: the provider is not keeping up. (With
            // little in flight, at the end of a batch say, a few hung requests are a large share of a slow round.)
            BackOff();
            return;
        }

        if (_exitChecks > 0)
        {
            // Slow start ended on one clearly slower round. Queueing at the provider stays: every round after it is
            // slower, two in a row at least, while the gradient brings the limit down. Pauses of the client's own
            // (start-up, new connections, a busy shared machine) come and go: two rounds back at the usual latency, in a
            // row or not, make the exit spurious and slow start resumes, as RFC 9406's conservative slow start does.
            if (slower)
            {
                _exitChecks = _risingRounds >= 2 ? 0 : _exitChecks; // two slower rounds in a row: queueing, the exit stands
            }
            else if (--_exitChecks == 0)
            {
                _slowStart = true;
            }
        }

        // The gradient follows the lesser of this round's ratio and the last one's: queueing at the provider lasts, while
        // a round slowed by a pause of the client's own (a busy shared machine, a collection) is not followed by another.
        double gradient = Math.Clamp(_options.Tolerance / Math.Min(ratio, previous), 0.5, 1.0);
        if (_slowStart)
        {
            // Slow start asks only whether latency rose as the limit doubled (against its usual level, not the best
            // ever seen: on a shared machine latency is noisy, and a best-ever yardstick would end slow start at once).
            if (!slower)
            {
                if (peak >= _limit / 2 && _limit < _options.MaxLimit)
                {
                    Volatile.Write(ref _limit, Math.Min(_options.MaxLimit, _limit * 2)); // slow start: double per round trip
                    _staleSamples = inFlight - 1; // the next round is of attempts started under the doubled limit (as TCP's rounds)
                }

                return;
            }

            if (!LatencyRising)
            {
                return; // one round a little slower: hold the limit and look again, as HyStart does before leaving slow start
            }

            _slowStart = false; // queueing confirmed ends slow start; the gradient takes over
            _exitChecks = _risingRounds >= 2 ? 0 : ExitChecks; // one round alone may be a pause of the client's: look twice more
            gradient = Math.Clamp(_options.Tolerance / ratio, 0.5, 1.0); // this round answers the doubling: it counts alone
        }

        double target = (_limit * gradient) + Math.Sqrt(_limit);
        if (target > _limit && peak < _limit / 2)
        {
            return; // not enough load to learn that more would be sustained
        }

        double next = (_limit * (1 - _options.Smoothing)) + (target * _options.Smoothing);
        Volatile.Write(ref _limit, Math.Clamp(next, _options.MinLimit, _options.MaxLimit));
    }

    /// <summary>The round's ratio: its median, not its mean. Queueing at the provider delays every request of a round;
    /// the client's own delays (a short pause, new connections as the limit doubles) delay only some, and a mean takes
    /// them for queueing.</summary>
    private double RoundRatio()
    {
        var ratios = _roundRatios.AsSpan(0, _roundSamples);
        ratios.Sort();
        int middle = ratios.Length / 2;
        return ratios.Length % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
    }

    /// <summary>Multiplies the limit by the backoff ratio, at most once per round trip, and ends slow start.</summary>

    private void BackOff()
    {
        _slowStart = false;
        _exitChecks = 0;
        long now = _time.GetTimestamp();
        double cooldown = Math.Max(_latency, 0.05);
        if (_time.GetElapsedTime(_lastBackoff, now).TotalSeconds >= cooldown)
        {
            _lastBackoff = now;
            Volatile.Write(ref _limit, Math.Max(_options.MinLimit, _limit * _options.BackoffRatio));
        }
    }

    private static int LengthClass(long? units)
    {
        if (units is not > 0)
        {
            return 0;
        }

        int log = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)units.Value);
        return Math.Min(log, LengthClasses - 1);
    }
}
