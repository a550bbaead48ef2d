using System.Diagnostics;
using System.Net;

namespace Sluice.Simulator.Tests;

public sealed class ProgramTests
{
    [Theory]
    [InlineData(new[] { "--latency-ms", "abc" }, "--latency-ms")]
    [InlineData(new[] { "--bogus", "1" }, "--bogus")]
    [InlineData(new[] { "--hang-rate", "1.5" }, "--hang-rate")]
    [InlineData(new[] { "--rpm" }, "--rpm")]
    [InlineData(new[] { "--jitter-ms=5" }, "--jitter-ms")]
    [InlineData(new[] { "--quota-exhausted", "yes" }, "--quota-exhausted")]
    public void Bad_flags_are_reported_by_name(string[] args, string flag)
    {
        var ex = Assert.Throws<CommandLineException>(() => CommandLine.Parse(args));
        Assert.Equal(flag, ex.Flag);
        Assert.Contains(flag, ex.Message);
    }

    [Fact]
    public void Flags_map_to_options()
    {
        var options = CommandLine.Parse(["--port", "0", "--latency-ms", "50", "--rpm=3000", "--tpm", "90000", "--drop-rate", "0.01", "--models", "a, b", "--quota-exhausted", "true"]);

        Assert.Equal(50, options.LatencyMs);
        Assert.Equal(3000, options.RequestsPerMinute);
        Assert.Equal(90000, options.TokensPerMinute);
        Assert.Equal(0.01, options.DropRate);
        Assert.Equal(["a", "b"], options.Models);
        Assert.True(options.QuotaExhausted);
    }

    [Fact]
    public async Task The_program_prints_its_url_first_serves_and_stops_after_max_seconds()
    {
        var (process, firstLine) = await StartAsync("--port", "0", "--max-seconds", "10");
        using (process)
        {
            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", firstLine);
            using var client = new HttpClient { BaseAddress = new Uri(firstLine) };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
    }

    [Fact]
    public async Task A_bad_flag_exits_with_code_2_and_names_the_flag()
    {
        var start = Info("--rpm", "lots");
        using var process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--rpm", error);
    }

    private static async Task<(Process, string)> StartAsync(params string[] args)
    {
        var process = Process.Start(Info(args))!;
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process, line ?? "");
    }

    private static ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(SimulatorHost).Assembly.Location);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        return info;
    }
}
