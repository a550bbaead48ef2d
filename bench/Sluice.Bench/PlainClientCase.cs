using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Sluice.Bench;

/// <summary>
/// The reference for the <c>cli</c> suite's throughput case: the same request file sent by the plainest client there is,
/// in a process of its own — one <see cref="HttpClient"/>, N tasks taking the next line, each body sent and its answer
/// read to the end; no validation, retries, journal, output files or progress. Its lines per second are what this
/// machine allows a client beside the simulator, so <c>sluice run</c> ÷ this separates the command's cost from the
/// machine's. It starts its clock after reading the file, and it stops at the first failure (none are expected).
/// </summary>
internal static class PlainClientCase
{
    /// <summary>The child's entry: <c>cli-plain &lt;input&gt; &lt;base url with /v1&gt; &lt;concurrency&gt;</c>; prints one JSON
    /// line with the lines sent, the seconds from the first request to the last answer and the process's CPU seconds.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> arguments)
    {
        string input = arguments[0];
        var endpoint = new Uri(arguments[1].TrimEnd('/') + "/chat/completions");
        int concurrency = int.Parse(arguments[2], System.Globalization.CultureInfo.InvariantCulture);
        var bodies = new List<byte[]>();
        foreach (string line in File.ReadLines(input))
        {
            using var request = JsonDocument.Parse(line);
            bodies.Add(Encoding.UTF8.GetBytes(request.RootElement.GetProperty("body").GetRawText()));
        }

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (int i = Interlocked.Increment(ref next); i < bodies.Count; i = Interlocked.Increment(ref next))
            {
                var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new("application/json");
                using var response = await http.PostAsync(endpoint, content).ConfigureAwait(false);
                await response.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"line {i + 1}: HTTP {(int)response.StatusCode}");
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { lines = bodies.Count, seconds, cpu_seconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds }));
        return 0;
    }

    /// <summary>Runs the child against a base URL and returns its lines per second and its CPU seconds.</summary>
    public static async Task<(double LinesPerSecond, double CpuSeconds)> RunAsync(string input, string baseUrl, int concurrency)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Sluice.Bench.dll"), "cli-plain", input, baseUrl, concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the plain client failed: {stdout}\n{await stderr}");
        }

        using var result = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        double lines = result.RootElement.GetProperty("lines").GetDouble();
        return (lines / result.RootElement.GetProperty("seconds").GetDouble(), result.RootElement.GetProperty("cpu_seconds").GetDouble());
    }
}
