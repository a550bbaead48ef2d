using System.Net.Http.Headers;

namespace Sluice.AI;

/// <summary>
/// Sends one benchmark step: its requests through a <see cref="SluiceThroughputHandler"/> of its own (a fixed
/// concurrency limit, one attempt per request) over a connection pool shared by every step, from exactly as many
/// workers as the step's concurrency.
/// </summary>
internal sealed class BenchmarkStepRunner : IDisposable
{
    private readonly SocketsHttpHandler _connections = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    private readonly Uri _root;
    private readonly string? _apiKey;
    private readonly EndpointBenchmarkOptions _options;
    private readonly string _path;
    private long _nextBody;

    public BenchmarkStepRunner(Uri baseUrl, string? apiKey, EndpointBenchmarkOptions options)
    {
        _root = new Uri(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/");
        _apiKey = apiKey;
        _options = options;
        _path = BenchmarkBodies.PathOf(options.Endpoint);
    }

    public async Task<BenchmarkMeasurement> MeasureAsync(BenchmarkSweep sweep, BenchmarkStep step, CancellationToken cancellationToken)
    {
        var clientOptions = new SluiceClientOptions
        {
            Retry = { MaxAttempts = 1 },
            Concurrency = { MaxConcurrency = step.Concurrency },
            AttemptTimeout = { Timeout = _options.AttemptTimeout },
            TimeProvider = _options.TimeProvider,
        };
        using var handler = new SluiceThroughputHandler(new SharedConnections(_connections), lane: null, clientOptions);
        using var http = new HttpClient(handler) { BaseAddress = _root, Timeout = Timeout.InfiniteTimeSpan };
        if (_apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        long firstBody = Interlocked.Add(ref _nextBody, step.Requests) - step.Requests;
        var outcomes = new Outcome[step.Requests];
        int next = -1;
        var time = _options.TimeProvider;
        long started = time.GetTimestamp();
        var workers = new Task[Math.Min(step.Concurrency, step.Requests)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < step.Requests)
                {
                    outcomes[i] = await SendAsync(http, BenchmarkBodies.Create(_options, firstBody + i, step.GroupSize), cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        double elapsed = time.GetElapsedTime(started).TotalSeconds;
        return Summarize(sweep, step, outcomes, elapsed, time, handler.Ledger);
    }

    public void Dispose() => _connections.Dispose();

    private async Task<Outcome> SendAsync(HttpClient http, byte[] body, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        long sent = time.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(_path, content, cancellationToken).ConfigureAwait(false);
            return new Outcome((int)response.StatusCode, response.IsSuccessStatusCode ? time.GetElapsedTime(sent).TotalMilliseconds : 0, time.GetTimestamp());
        }
        catch (AttemptTimeoutException)
        {
            return new Outcome(Outcome.TimedOut, 0, time.GetTimestamp());
        }
        catch (HttpRequestException)
        {
            return new Outcome(Outcome.ConnectionFailed, 0, time.GetTimestamp());
        }
    }

    private static BenchmarkMeasurement Summarize(BenchmarkSweep sweep, BenchmarkStep step, Outcome[] outcomes, double elapsed, TimeProvider time, UsageLedger ledger)
    {
        // Steady state: after the start-up (the first `concurrency` answers: connection set-up, warm-up) to the last answer.
        var ends = outcomes.Select(o => o.Ended).Order().ToArray();
        int startUp = Math.Min(step.Concurrency, ends.Length);
        double steadySeconds = 0;
        int steadySucceeded = 0;
        if (ends.Length > startUp)
        {
            long windowStart = ends[startUp - 1];
            steadySeconds = time.GetElapsedTime(windowStart, ends[^1]).TotalSeconds;
            steadySucceeded = outcomes.Count(o => o.Status is >= 200 and < 300 && o.Ended > windowStart);
        }

        var latencies = new List<double>(outcomes.Length);
        var failedByKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int rateLimited = 0;
        foreach (var outcome in outcomes)
        {
            if (outcome.Status is >= 200 and < 300)
            {
                latencies.Add(outcome.LatencyMs);
            }
            else if (outcome.Status == 429)
            {
                rateLimited++;
            }
            else
            {
                string kind = outcome.Status switch
                {
                    Outcome.TimedOut => "timeout",
                    Outcome.ConnectionFailed => "connection",
                    var status => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                failedByKind[kind] = failedByKind.GetValueOrDefault(kind) + 1;
            }
        }

        latencies.Sort();
        return new BenchmarkMeasurement
        {
            Sweep = sweep,
            Concurrency = step.Concurrency,
            GroupSize = step.GroupSize,
            Requests = outcomes.Length,
            Succeeded = latencies.Count,
            RateLimited = rateLimited,
            Failed = outcomes.Length - latencies.Count - rateLimited,
            FailedByKind = new Dictionary<string, int>(failedByKind, StringComparer.Ordinal),
            ElapsedSeconds = elapsed,
            SteadySeconds = steadySeconds,
            SteadySucceeded = steadySucceeded,
            InputTokens = ledger.InputTokens,
            OutputTokens = ledger.OutputTokens,
            LatencyP50Ms = Percentile(latencies, 0.50),
            LatencyP90Ms = Percentile(latencies, 0.90),
            LatencyP99Ms = Percentile(latencies, 0.99),
        };
    }

    /// <summary>The nearest-rank percentile of sorted values, or <see langword="null"/> for none.</summary>
    private static double? Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)], 1);

    /// <summary>One request's end: its HTTP status (or a negative code for no answer), for a success its latency, and
    /// when it ended (a <see cref="TimeProvider"/> timestamp).</summary>
    private readonly record struct Outcome(int Status, double LatencyMs, long Ended)
    {
        public const int TimedOut = -1;
        public const int ConnectionFailed = -2;
    }

    /// <summary>The shared connection pool under one step's handler: disposing the step leaves the pool open.</summary>
    private sealed class SharedConnections(HttpMessageHandler pool) : DelegatingHandler(pool)
    {
        protected override void Dispose(bool disposing)
        {
            // The pool belongs to the runner, which disposes it after the last step.
        }
    }
}
