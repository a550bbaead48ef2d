using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>
/// Samples a run's counts into <c>timeline.jsonl</c> in its run directory while it runs, and counts its request
/// latencies, so <c>sluice report</c> can draw the run over time. <see cref="BatchFileRunner"/> keeps one for every
/// run; any other runner (an evaluation) can keep one with <see cref="StartAsync"/>.
/// </summary>
/// <remarks>
/// <para>The file is append-only JSON Lines. Each session (a run, or one <c>--resume</c> of it) first appends
/// <c>{"type": "session", "session": n, "started_at", "total", "resumed"}</c> with the next session number, then
/// <c>{"type": "sample", "session", "t", …counts}</c> lines (<c>t</c>: seconds since the session started; the counts
/// of <see cref="BatchRunSnapshot"/>, those of the session except <c>done</c>, which includes the items of earlier
/// sessions), and <c>{"type": "latency", "session", "t", "bounds_ms", "counts"}</c> lines holding the session's
/// latency histogram so far (<see cref="LatencyHistogram"/>; the last one of a session is the session's).</para>
/// <para>Bounded size: a sample every second for a session's first hour, every 10 seconds until its tenth hour, then
/// every minute (<see cref="IntervalAt"/>): about 7,700 lines (2 MB) for a day. The histogram is appended every 30
/// seconds when it changed, and when the session ends.</para>
/// <para>The timeline is a diagnostic: a write that fails (a full disk) stops the sampling and never fails the run.
/// A line torn by a kill is left as it is; the next session starts on a new line, and readers skip a torn last
/// line.</para>
/// </remarks>
public sealed class RunTimeline : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LatencyEvery = TimeSpan.FromSeconds(30);
    private readonly FileStream _file;
    private readonly Func<BatchRunSnapshot> _sample;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly PeriodicTimer _timer;
    private readonly Lock _writeLock = new();
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(512);
    private Task _loop = Task.CompletedTask;
    private TimeSpan _lastSample = TimeSpan.MinValue;
    private TimeSpan _lastLatency;
    private long _latencyWritten;
    private bool _broken;

    private RunTimeline(FileStream file, int session, Func<BatchRunSnapshot> sample, TimeProvider time)
    {
        _file = file;
        Session = session;
        _sample = sample;
        _time = time;
        _started = time.GetTimestamp();
        _timer = new PeriodicTimer(Tick, time);
    }

    /// <summary>Gets this session's number: 1 for a new timeline, one more than the last session in the file otherwise.</summary>
    public int Session { get; }

    /// <summary>Gets this session's request latencies.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>How often a session samples after <paramref name="elapsed"/>: every second for the first hour, every
    /// 10 seconds until the tenth, then every minute.</summary>
    /// <param name="elapsed">The time since the session started.</param>
    /// <returns>The interval between samples.</returns>
    public static TimeSpan IntervalAt(TimeSpan elapsed) =>
        elapsed < TimeSpan.FromHours(1) ? TimeSpan.FromSeconds(1)
        : elapsed < TimeSpan.FromHours(10) ? TimeSpan.FromSeconds(10)
        : TimeSpan.FromMinutes(1);

    /// <summary>Opens (or creates) the timeline, appends this session's first line and a first sample, and samples
    /// every second from then on until <see cref="DisposeAsync"/>.</summary>
    /// <param name="path">The timeline file (<see cref="RunDirectory.TimelinePath"/>).</param>
    /// <param name="sample">Reads the run's counts; called from a timer thread.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="cancellationToken">Stops the opening.</param>
    /// <returns>The running timeline.</returns>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static async Task<RunTimeline> StartAsync(string path, Func<BatchRunSnapshot> sample, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sample);
        var time = timeProvider ?? TimeProvider.System;
        var (lastSession, endsWithLineEnd) = await LastSessionAsync(path, cancellationToken).ConfigureAwait(false);
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var timeline = new RunTimeline(file, lastSession + 1, sample, time);
        var first = sample();
        timeline.Write(writer =>
        {
            writer.WriteString("type", "session");
            writer.WriteNumber("session", timeline.Session);
            writer.WriteString("started_at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            if (first.Total is { } total)
            {
                writer.WriteNumber("total", total);
            }
            else
            {
                writer.WriteNull("total");
            }

            writer.WriteNumber("resumed", first.Resumed);
        }, newLineFirst: !endsWithLineEnd);
        timeline.WriteSample(TimeSpan.Zero, first);
        timeline._loop = timeline.LoopAsync();
        return timeline;
    }

    /// <summary>Counts one request's latency.</summary>
    /// <param name="latency">The latency.</param>
    public void RecordLatency(TimeSpan latency) => Latency.Record(latency);

    /// <summary>Stops the sampling and appends a last sample and the session's latency histogram.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
        var elapsed = _time.GetElapsedTime(_started);
        WriteSample(elapsed, _sample());
        WriteLatency(elapsed);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private async Task LoopAsync()
    {
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            var elapsed = _time.GetElapsedTime(_started);
            // Half a tick of slack: a timer that fires a little early must not skip a whole interval.
            if (elapsed - _lastSample >= IntervalAt(elapsed) - TimeSpan.FromMilliseconds(500))
            {
                WriteSample(elapsed, _sample());
            }

            if (elapsed - _lastLatency >= LatencyEvery && Latency.Count != _latencyWritten)
            {
                WriteLatency(elapsed);
            }
        }
    }

    private void WriteSample(TimeSpan elapsed, BatchRunSnapshot s)
    {
        _lastSample = elapsed;
        Write(writer =>
        {
            writer.WriteString("type", "sample");
            writer.WriteNumber("session", Session);
            writer.WriteNumber("t", Math.Round(elapsed.TotalSeconds, 3));
            writer.WriteNumber("done", s.Done);
            writer.WriteNumber("succeeded", s.Succeeded);
            writer.WriteNumber("failed", s.Failed);
            writer.WriteNumber("in_flight", s.InFlight);
            writer.WriteNumber("concurrency_limit", s.ConcurrencyLimit);
            writer.WriteNumber("retries", s.Retries);
            writer.WriteNumber("rate_limited", s.RateLimited);
            writer.WriteNumber("cache_hits", s.CacheHits);
            writer.WriteNumber("input_tokens", s.InputTokens);
            writer.WriteNumber("output_tokens", s.OutputTokens);
            if (s.Cost is { } cost)
            {
                writer.WriteNumber("cost_usd", cost);
            }
            else
            {
                writer.WriteNull("cost_usd");
            }
        });
    }

    private void WriteLatency(TimeSpan elapsed)
    {
        _lastLatency = elapsed;
        long[] counts = Latency.Counts();
        _latencyWritten = counts.Sum();
        Write(writer =>
        {
            writer.WriteString("type", "latency");
            writer.WriteNumber("session", Session);
            writer.WriteNumber("t", Math.Round(elapsed.TotalSeconds, 3));
            writer.WriteStartArray("bounds_ms");
            foreach (double bound in LatencyHistogram.BoundsMilliseconds)
            {
                writer.WriteNumberValue(bound);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("counts");
            foreach (long count in counts)
            {
                writer.WriteNumberValue(count);
            }

            writer.WriteEndArray();
        });
    }

    private void Write(Action<Utf8JsonWriter> body, bool newLineFirst = false)
    {
        lock (_writeLock)
        {
            if (_broken)
            {
                return;
            }

            try
            {
                _buffer.ResetWrittenCount();
                if (newLineFirst)
                {
                    System.Buffers.BuffersExtensions.Write(_buffer, "\n"u8);
                }

                using (var writer = new Utf8JsonWriter(_buffer))
                {
                    writer.WriteStartObject();
                    body(writer);
                    writer.WriteEndObject();
                }

                System.Buffers.BuffersExtensions.Write(_buffer, "\n"u8);
                _file.Write(_buffer.WrittenSpan);
                _file.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _broken = true; // a diagnostic that cannot be written never fails the run
            }
        }
    }

    /// <summary>The highest session number in an existing timeline (0 when none), and whether the file ends with a line
    /// end (a torn last line does not: the next line must start on a new one).</summary>
    private static async Task<(int Session, bool EndsWithLineEnd)> LastSessionAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return (0, true);
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        int session = 0;
        foreach (var range in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (!range.Contains("\"type\":\"session\"", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(range);
                if (document.RootElement.TryGetProperty("session", out var number) && number.TryGetInt32(out int n))
                {
                    session = Math.Max(session, n);
                }
            }
            catch (JsonException)
            {
                // a torn line: skipped
            }
        }

        return (session, bytes.Length == 0 || bytes[^1] == (byte)'\n');
    }
}
