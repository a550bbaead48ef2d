using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Sluice.Simulator;

/// <summary>
/// <see cref="SimulatorOptions.WarmUp"/>: a second, temporary simulator in the same process, on a port of its own and
/// with the same models, rules and tokenizer but no latency, faults or limits, takes real requests over loopback to its
/// chat, streamed chat and embeddings endpoints in two rounds — the first compiles the request path, the second calls
/// it often enough for the runtime to recompile its hot methods optimised — each followed by a wait until the runtime has
/// stopped compiling; then it is stopped. The compiled code is the process's, so the simulator started next meets its
/// first client at speed, and nothing of the warm-up touches its counters, budgets or port (a client that connects to
/// a fixed port early waits for the port to open, as it would without a warm-up).
/// </summary>
internal static class WarmUp
{
    private const int Workers = 32;

    /// <summary>How long the runtime's count of compiled methods must stand still to call a round's compilation done:
    /// longer than its default 100-ms wait before it starts counting calls.</summary>
    private static readonly TimeSpan QuietFor = TimeSpan.FromMilliseconds(150);

    /// <summary>The longest a round waits for the compiler; a busy machine's warm-up ends anyway.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(SimulatorOptions configured, CancellationToken cancellationToken)
    {
        var quiet = configured with
        {
            Port = 0,
            WarmUp = false,
            LatencyMs = 1, // through the delay thread, as a real request goes
            PerTokenLatencyMs = 0,
            JitterMs = 0,
            Capacity = 0,
            RequestsPerMinute = 0,
            TokensPerMinute = 0,
            Error500Rate = 0,
            Error502Rate = 0,
            Error503Rate = 0,
            HangRate = 0,
            DropRate = 0,
            MalformedRate = 0,
            QuotaExhausted = false,
        };
        await using var simulator = await SimulatorHost.StartAsync(quiet, cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseProxy = false })
        {
            BaseAddress = simulator.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        string model = configured.Models[0];
        foreach (int perWorker in (int[])[4, 8])
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => SendAsync(http, model, w, perWorker, cancellationToken))).ConfigureAwait(false);
            await WaitForCompilerAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SendAsync(HttpClient http, string model, int worker, int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            string text = $"warm-up {worker}.{i}: a short message to compile the request path";
            (string path, string body) = (i % 4) switch
            {
                0 => ("v1/embeddings", $$"""{"model":"{{model}}","input":"{{text}}"}"""),
                1 => ("v1/chat/completions", $$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{text}}"}]}"""),
                _ => ("v1/chat/completions", $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"system","content":"warm-up"},{"role":"user","content":"{{text}}"}]}"""),
            };
            using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using var response = await http.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
            _ = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitForCompilerAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(start) < LongestWait)
        {
            await Task.Delay(QuietFor, cancellationToken).ConfigureAwait(false);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled)
                return;
            compiled = now;
        }
    }
}
