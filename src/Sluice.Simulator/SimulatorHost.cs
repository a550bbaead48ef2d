using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Simulator.Endpoints;

namespace Sluice.Simulator;

/// <summary>
/// A running simulator on 127.0.0.1. Start one with <see cref="StartAsync"/> (port 0 picks a free port), point a
/// client at <see cref="BaseAddress"/> (or <see cref="OpenAIEndpoint"/> for the OpenAI SDK), and dispose it to stop.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorState _state;
    private int _disposed;

    private SimulatorHost(WebApplication app, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        _state = state;
        BaseAddress = baseAddress;
    }

    /// <summary>The root address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The address to give the OpenAI SDK's <c>OpenAIClientOptions.Endpoint</c>: <c>{BaseAddress}v1</c>.</summary>
    public Uri OpenAIEndpoint => new(BaseAddress, "v1");

    /// <summary>The port actually bound.</summary>
    public int Port => BaseAddress.Port;

    /// <summary>The options in force now.</summary>
    public SimulatorOptions Options => _state.Options;

    /// <summary>Starts a simulator with <paramref name="options"/> (defaults when null), after warming the request path
    /// up when <see cref="SimulatorOptions.WarmUp"/> is set.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        options.Validate();
        if (options.WarmUp)
        {
            await WarmUp.RunAsync(options, cancellationToken).ConfigureAwait(false);
        }

        var state = new SimulatorState(options);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                Args = [],
            });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
                kestrel.Listen(IPAddress.Loopback, options.Port);
            });
            var app = builder.Build();
            var pipeline = new RequestPipeline(state);
            Map(app, pipeline, "/v1/chat/completions", new ChatCompletionsEndpoint(), post: true);
            Map(app, pipeline, "/v1/embeddings", new EmbeddingsEndpoint(), post: true);
            Map(app, pipeline, "/v1/models", new ModelsEndpoint(), post: false);
            Map(app, pipeline, "/v1beta/search", new ParallelSearchEndpoint(), post: true);
            Map(app, pipeline, "/v1beta/extract", new ParallelExtractEndpoint(), post: true);
            AdminEndpoints.Map(app, state);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new SimulatorHost(app, state, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the options while running (validated first). Rate buckets restart full only if a limit changed.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void UpdateOptions(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state.Apply(options with { Port = _state.Options.Port });
    }

    /// <summary>Changes some options while running: <c>host.UpdateOptions(o => o with { HangRate = 0.1 })</c>.</summary>
    public void UpdateOptions(Func<SimulatorOptions, SimulatorOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        UpdateOptions(change(_state.Options));
    }

    /// <summary>Answers the next <paramref name="count"/> simulated-work requests with 429 and the given Retry-After.</summary>
    public void ForceRateLimit(int count, TimeSpan retryAfter) => _state.Limits.Force(count, retryAfter);

    /// <summary>The counters served by <c>GET /stats</c>.</summary>
    public StatsSnapshot GetStats() => _state.Counters.Snapshot();

    /// <summary>
    /// The counters once no request is in flight. A client sees its answer before the server has finished counting
    /// it (the counters are updated after the body is written), so read this, not <see cref="GetStats"/>, to check a
    /// phase that has just ended.
    /// </summary>
    /// <param name="timeout">How long to wait for the server to become idle; 10 s when null; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException">Requests were still in flight when <paramref name="timeout"/> ran out.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite).</exception>
    public async Task<StatsSnapshot> GetStatsWhenIdleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        if (limit < TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, "The timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        long inFlight;
        while ((inFlight = _state.Counters.InFlight) > 0)
        {
            if (limit != Timeout.InfiniteTimeSpan && System.Diagnostics.Stopwatch.GetElapsedTime(start) > limit)
                throw new TimeoutException($"The simulator still had {inFlight} requests in flight after {limit.TotalSeconds:0.#} s.");
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
        return GetStats();
    }

    /// <summary>Zeroes the counters, refills the rate budgets and clears forced 429s (as <c>POST /admin/reset</c>).</summary>
    public void Reset() => _state.Reset();

    /// <summary>
    /// <see cref="Reset"/> once nothing is in flight, so that no request of the phase that has just ended is counted
    /// after the reset, in the next phase.
    /// </summary>
    /// <param name="timeout">How long to wait for the server to become idle; 10 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException">Requests were still in flight when <paramref name="timeout"/> ran out.</exception>
    public async Task ResetWhenIdleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await GetStatsWhenIdleAsync(timeout, cancellationToken).ConfigureAwait(false);
        Reset();
    }

    /// <summary>Stops the server and the delay thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _state.Dispose();
        }
    }

    private static void Map(WebApplication app, RequestPipeline pipeline, string path, ISimulatedEndpoint endpoint, bool post)
    {
        if (post)
            app.MapPost(path, context => pipeline.HandleAsync(context, endpoint));
        else
            app.MapGet(path, context => pipeline.HandleAsync(context, endpoint));
    }
}
