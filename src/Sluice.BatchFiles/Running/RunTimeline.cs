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
/// sessions), and <c>{"type": "latency", "session", "t", "of", "bounds_ms", "counts"}</c> lines holding the session's
/// latency histograms so far (<see cref="LatencyHistogram"/>; <c>of</c> is <c>request</c> for <see cref="Latency"/> or
/// <c>attempt</c> for <see cref="AttemptLatency"/>; the last line of each in a session is the session's).</para>
/// <para>Bounded size: a sample every second for a session's first hour, every 10 seconds until its tenth hour, then
/// every minute (<see cref="IntervalAt"/>): about 7,700 lines (2 MB) for a day. The histograms are appended every 30
/// seconds when they changed, and when the session ends.</para>
/// <para>The timeline is a diagnostic: a write that fails (a full disk) stops the sampling and never fails the run.
/// A last line torn by a kill is dropped when the next session starts (readers skip it until then).</para>
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

    /// <summary>Gets this session's request latencies (<see cref="RecordLatency"/>): from a request's start to its
    /// final answer as its runner sees it, waits for a slot or budget and retries included.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Gets this session's attempt latencies: each HTTP attempt on the wire (for
    /// <see cref="HttpAttemptListener"/>, which <see cref="BatchFileRunner"/> attaches).</summary>
    public LatencyHistogram AttemptLatency { get; } = new();

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
        var (lastSession, completeLength) = await LastSessionAsync(path, cancellationToken).ConfigureAwait(false);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        file.SetLength(completeLength); // a line torn by a kill is dropped, so every line of the file stays whole
        file.Seek(0, SeekOrigin.End);
        var timeline = new RunTimeline(file, lastSession + 1, sample, time);
        var first = sample();
        timeline.Write(writer =>
        {
            writer.WriteString("type", "session");
            writer.WriteNumber("session", timeline.Session);
            writer.WriteString("started_at", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (first.Total is { } total)
            {
                writer.WriteNumber("total", total);
            }
            else
            {
                writer.WriteNull("total");
            }

            writer.WriteNumber("resumed", first.Resumed);
        });
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

            if (elapsed - _lastLatency >= LatencyEvery && Latency.Count + AttemptLatency.Count != _latencyWritten)
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
        long[] requests = Latency.Counts(), attempts = AttemptLatency.Counts();
        _latencyWritten = requests.Sum() + attempts.Sum();
        WriteHistogram(elapsed, "request", requests);
        WriteHistogram(elapsed, "attempt", attempts);
    }

    private void WriteHistogram(TimeSpan elapsed, string of, long[] counts) =>
        Write(writer =>
        {
            writer.WriteString("type", "latency");
            writer.WriteNumber("session", Session);
            writer.WriteNumber("t", Math.Round(elapsed.TotalSeconds, 3));
            writer.WriteString("of", of);
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

    private void Write(Action<Utf8JsonWriter> body)
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

    /// <summary>The highest session number in an existing timeline (0 when none), and the length of its whole lines
    /// (a last line torn by a kill has no line end and is not counted).</summary>
    private static async Task<(int Session, long CompleteLength)> LastSessionAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return (0, 0);
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        int complete = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        int session = 0;
        foreach (string line in Encoding.UTF8.GetString(bytes, 0, complete).Split('\n'))
        {
            if (!line.Contains("\"type\":\"session\"", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("session", out var number) && number.TryGetInt32(out int n))
                {
                    session = Math.Max(session, n);
                }
            }
            catch (JsonException)
            {
                // not a session line after all: skipped
            }
        }

        return (session, complete);
    }
}
