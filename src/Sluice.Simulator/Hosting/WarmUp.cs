using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Sluice.Simulator;

/// <summary>
/// <see cref="SimulatorOptions.WarmUp"/>: real requests over loopback to the simulator's own endpoints (chat, streamed
/// chat, embeddings) with latency, faults and limits suspended, in two rounds — the first compiles the request path,
/// the second calls it often enough for the runtime to recompile its hot methods optimised — each followed by a wait
/// until the runtime has stopped compiling; then the configured options come back and the counters restart at zero.
/// </summary>
internal static class WarmUp
{
    private const int Workers = 32;

    /// <summary>How long the runtime's count of compiled methods must stand still to call a round's compilation done:
    /// longer than its default 100-ms wait before it starts counting calls.</summary>
    private static readonly TimeSpan QuietFor = TimeSpan.FromMilliseconds(150);

    /// <summary>The longest a round waits for the compiler; a busy machine's warm-up ends anyway.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(SimulatorState state, Uri baseAddress, CancellationToken cancellationToken)
    {
        var configured = state.Options;
        state.Apply(configured with
        {
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
        });
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseProxy = false })
            {
                BaseAddress = baseAddress,
                Timeout = TimeSpan.FromSeconds(30),
            };
            string model = configured.Models[0];
            foreach (int perWorker in (int[])[4, 8])
            {
                await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => SendAsync(http, model, w, perWorker, cancellationToken))).ConfigureAwait(false);
                await WaitForCompilerAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            state.Apply(configured);
            state.Reset();
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
