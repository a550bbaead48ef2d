using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Sluice.Bench;

/// <summary>
/// <c>sluice run</c> measured as a user runs it: the built command (<c>dotnet Sluice.Cli.dll</c>) as a child process
/// against the simulator in another child process (<c>sluice simulate</c>), so the command's process holds nothing
/// but the command. Each command run is started through a small wrapper process (<c>cli-rusage</c>) that reads the
/// kernel's accounting of its one child: peak resident memory (<c>ru_maxrss</c>) and CPU time.
/// </summary>
internal static class CliBench
{
    private static string CliDll => BenchCommand.Dll;

    public static async Task RunAsync(bool quick)
    {
        string dir = Directory.CreateTempSubdirectory("sluice-cli-bench-").FullName;
        try
        {
            BenchCommand.Announce("cli");
            int lines = quick ? 20_000 : 100_000;
            double plainRate = await PlainClientAsync(dir, lines);
            double fixedRate = await ThroughputAsync(dir, lines, "256");
            BenchResult.Print(new
            {
                suite = "cli",
                @case = "run-throughput-vs-plain-client",
                lines,
                ratio = Math.Round(fixedRate / plainRate, 3),
                note = "sluice run --concurrency 256 (validation, journal with fsync, output files) ÷ a plain HttpClient loop of 256 tasks, same file, same machine",
            });
            double autoRate = await ThroughputAsync(dir, lines, "auto");
            BenchResult.Print(new
            {
                suite = "cli",
                @case = "run-throughput-auto-vs-fixed",
                lines,
                ratio = Math.Round(autoRate / fixedRate, 3),
                goal = "about 1 (the adaptive limit, starting at 8, as fast as a fixed 256)",
            });
            await MemoryAndResumeAsync(dir, quick ? [20_000, 200_000] : [100_000, 1_000_000]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Lines at 50 ms latency, journal on (fsync), at <c>--concurrency 256</c> or <c>auto</c> (the adaptive
    /// limit, from 8 up to at most 256): throughput ÷ (256 ÷ median latency), the bound at 256 in flight. Returns the
    /// lines per second.</summary>
    private static async Task<double> ThroughputAsync(string dir, int lines, string concurrency)
    {
        string input = Path.Combine(dir, $"t{lines}.jsonl");
        if (!File.Exists(input))
        {
            WriteRequests(input, lines);
        }

        string output = Path.Combine(dir, $"t{lines}-{concurrency}.out.jsonl");
        await using var simulator = await Simulator.StartAsync("--latency-ms", "50");
        var run = await RunCommandAsync(dir, "run", "-i", input, "-o", output,
            "--base-url", simulator.Url + "/v1", "--no-api-key", "--concurrency", concurrency);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output + ".sluice", "summary.json")));
        using var stats = JsonDocument.Parse(await simulator.StatsAsync());
        double seconds = summary.RootElement.GetProperty("counts").GetProperty("elapsed_seconds").GetDouble();
        double p50 = stats.RootElement.GetProperty("latency").GetProperty("p50_ms").GetDouble();
        double throughput = lines / seconds;
        double bound = 256 / (p50 / 1000);
        BenchResult.Print(new
        {
            suite = "cli",
            @case = concurrency == "auto" ? "run-throughput-auto" : "run-throughput",
            lines,
            concurrency,
            latency_ms = 50,
            exit_code = run.ExitCode,
            output_lines = summary.RootElement.GetProperty("output_lines").GetInt64(),
            seconds = Math.Round(seconds, 2),
            items_per_second = Math.Round(throughput, 1),
            median_latency_ms = p50,
            bound_items_per_second = Math.Round(bound, 1),
            efficiency = Math.Round(throughput / bound, 3),
            mean_limit = Math.Round(MeanLimit(Path.Combine(output + ".sluice", "timeline.jsonl")), 1),
            cpu_us_per_line = Math.Round(run.CpuSeconds * 1e6 / lines, 1),
            goal = ">= 0.95",
            peak_rss_mb = Math.Round(run.MaxRssKb / 1024.0, 1),
        });
        return throughput;
    }

    /// <summary>The same lines at 50 ms sent by <see cref="PlainClientCase"/> (256 tasks, one HttpClient, nothing
    /// else), with a fresh simulator: what this machine allows a client beside the simulator. Returns lines per second.</summary>
    private static async Task<double> PlainClientAsync(string dir, int lines)
    {
        string input = Path.Combine(dir, $"t{lines}.jsonl");
        if (!File.Exists(input))
        {
            WriteRequests(input, lines);
        }

        await using var simulator = await Simulator.StartAsync("--latency-ms", "50");
        var (rate, cpu) = await PlainClientCase.RunAsync(input, simulator.Url + "/v1", 256);
        using var stats = JsonDocument.Parse(await simulator.StatsAsync());
        double p50 = stats.RootElement.GetProperty("latency").GetProperty("p50_ms").GetDouble();
        double bound = 256 / (p50 / 1000);
        BenchResult.Print(new
        {
            suite = "cli",
            @case = "run-throughput-plain-client",
            lines,
            concurrency = 256,
            latency_ms = 50,
            items_per_second = Math.Round(rate, 1),
            median_latency_ms = p50,
            bound_items_per_second = Math.Round(bound, 1),
            efficiency = Math.Round(rate / bound, 3),
            cpu_us_per_line = Math.Round(cpu * 1e6 / lines, 1),
            note = "the reference: one HttpClient, 256 tasks, no journal or files; clock from the first request to the last answer",
        });
        return rate;
    }

    /// <summary>The concurrency limit averaged over the run's timeline samples (one a second).</summary>
    private static double MeanLimit(string timeline)
    {
        double sum = 0;
        int count = 0;
        foreach (string line in File.ReadLines(timeline))
        {
            using var sample = JsonDocument.Parse(line);
            if (sample.RootElement.TryGetProperty("concurrency_limit", out var limit))
            {
                sum += limit.GetDouble();
                count++;
            }
        }

        return count == 0 ? 0 : sum / count;
    }

    /// <summary>Zero latency: peak memory at two sizes (it must not grow with the file), the command's CPU per line,
    /// and then a resume of the larger run, where every line is journalled (the time to skip them all).</summary>
    private static async Task MemoryAndResumeAsync(string dir, int[] sizes)
    {
        var peaks = new List<double>();
        foreach (int lines in sizes)
        {
            string input = WriteRequests(Path.Combine(dir, $"m{lines}.jsonl"), lines);
            string output = Path.Combine(dir, $"m{lines}.out.jsonl");
            string[] arguments = ["run", "-i", input, "-o", output, "--no-api-key", "--concurrency", "64"];
            RunUsage run, resume;
            await using (var simulator = await Simulator.StartAsync())
            {
                run = await RunCommandAsync(dir, [.. arguments, "--base-url", simulator.Url + "/v1"]);
                resume = await RunCommandAsync(dir, [.. arguments, "--base-url", simulator.Url + "/v1", "--resume"]);
            }

            peaks.Add(run.MaxRssKb / 1024.0);
            BenchResult.Print(new
            {
                suite = "cli",
                @case = "run-memory",
                lines,
                exit_code = run.ExitCode,
                wall_seconds = Math.Round(run.WallSeconds, 2),
                lines_per_second = Math.Round(lines / run.WallSeconds, 1),
                cpu_us_per_line = Math.Round(run.CpuSeconds * 1e6 / lines, 1),
                peak_rss_mb = Math.Round(run.MaxRssKb / 1024.0, 1),
                goal = "peak RSS <= 150 MB at 1,000,000 lines, within 10 % of the 100,000-line run",
            });
            BenchResult.Print(new
            {
                suite = "cli",
                @case = "resume-all-journalled",
                lines,
                exit_code = resume.ExitCode,
                wall_seconds = Math.Round(resume.WallSeconds, 2),
                us_per_line = Math.Round(resume.WallSeconds * 1e6 / lines, 2),
                cpu_us_per_line = Math.Round(resume.CpuSeconds * 1e6 / lines, 2),
                peak_rss_mb = Math.Round(resume.MaxRssKb / 1024.0, 1),
                note = "validates the input, reads the journal, sends nothing, rewrites the output files",
            });
            foreach (string file in Directory.EnumerateFiles(dir, $"m{lines}*"))
            {
                File.Delete(file);
            }

            Directory.Delete(output + ".sluice", recursive: true);
        }

        BenchResult.Print(new
        {
            suite = "cli",
            @case = "memory-growth",
            small_lines = sizes[0],
            large_lines = sizes[1],
            peak_rss_mb_small = Math.Round(peaks[0], 1),
            peak_rss_mb_large = Math.Round(peaks[1], 1),
            ratio = Math.Round(peaks[1] / peaks[0], 3),
            goal = "<= 1.10",
        });
    }

    private static string WriteRequests(string path, int lines)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        for (int i = 0; i < lines; i++)
        {
            writer.Write("{\"custom_id\": \"req-");
            writer.Write(i.ToString(CultureInfo.InvariantCulture));
            writer.Write("\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Summarise record ");
            writer.Write(i.ToString(CultureInfo.InvariantCulture));
            writer.Write(" in one line.\"}], \"max_tokens\": 32}}\n");
        }

        return path;
    }

    private static async Task<RunUsage> RunCommandAsync(string dir, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Bench.dll"));
        start.ArgumentList.Add("cli-rusage");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var wrapper = Process.Start(start)!;
        var stderr = wrapper.StandardError.ReadToEndAsync();
        string stdout = await wrapper.StandardOutput.ReadToEndAsync();
        await wrapper.WaitForExitAsync();
        var usage = JsonSerializer.Deserialize<RunUsage>(stdout.Trim().Split('\n')[^1]);
        if (usage is null || usage.ExitCode != 0)
        {
            throw new InvalidOperationException($"sluice {string.Join(' ', arguments)} failed: {stdout}\n{await stderr}");
        }

        return usage;
    }

    /// <summary>The wrapper: runs the command as its only child, then prints the child's peak RSS and CPU time.</summary>
    public static async Task<int> RunWithUsageAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        double wall = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(stdout, stderr);
        if (child.ExitCode != 0)
        {
            Console.Error.WriteLine(await stdout + await stderr);
        }

        if (GetRUsage(-1, out var usage) != 0)
        {
            throw new InvalidOperationException("getrusage(RUSAGE_CHILDREN) failed");
        }

        double cpu = usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
        Console.WriteLine(JsonSerializer.Serialize(new RunUsage { ExitCode = child.ExitCode, WallSeconds = wall, CpuSeconds = cpu, MaxRssKb = usage.MaxRssKb }));
        return 0;
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetRUsage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKb;
        public long Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    private sealed record RunUsage
    {
        public int ExitCode { get; init; }

        public double WallSeconds { get; init; }

        public double CpuSeconds { get; init; }

        public long MaxRssKb { get; init; }
    }

    /// <summary><c>sluice simulate</c> in a child process; its first line is its base URL.</summary>
    private sealed class Simulator : IAsyncDisposable
    {
        private static readonly HttpClient Http = new();
        private readonly Process _process;

        private Simulator(Process process, string url)
        {
            _process = process;
            Url = url;
        }

        public string Url { get; }

        public static async Task<Simulator> StartAsync(params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(CliDll);
            start.ArgumentList.Add("simulate");
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add("0");
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            string? url = await process.StandardOutput.ReadLineAsync();
            if (url is null || !url.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"sluice simulate did not print its URL: {url} {await process.StandardError.ReadToEndAsync()}");
            }

            return new Simulator(process, url.Trim());
        }

        public Task<string> StatsAsync() => Http.GetStringAsync(Url + "/stats");

        public async ValueTask DisposeAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
