using System.Text.RegularExpressions;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary>The command line itself: help with the exit codes, bad option values, <c>sluice simulate</c>.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    public async Task Help_lists_the_exit_codes(params string[] arguments)
    {
        var help = await Cli.RunAsync(Files.TempDirectory(), null, arguments);

        Assert.True(help.ExitCode == 0, Runs.Explain(help));
        Assert.Contains("Exit codes", help.Stdout);
        foreach (string code in new[] { "0", "2", "3", "130" })
        {
            Assert.Matches(new Regex($@"^\s+{code}\s+\S", RegexOptions.Multiline), help.Stdout);
        }
    }

    [Theory]
    [InlineData("--concurrency", "0")]
    [InlineData("--concurrency", "many")]
    [InlineData("--timeout", "-1")]
    [InlineData("--timeout", "0")]
    [InlineData("--max-attempts", "0")]
    [InlineData("--rpm", "0")]
    [InlineData("--base-url", "ftp://x")]
    [InlineData("--base-url", "not a url")]
    [InlineData("--base-url", "http://user:hunter2secret@127.0.0.1:9/v1")]
    [InlineData("--max-cost", "-1")]
    public async Task A_bad_option_value_exits_2_naming_the_option_and_sends_nothing(string option, string value)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 3);
        var arguments = Runs.Arguments(simulator, input, "results.jsonl").ToList();
        if (option == "--base-url")
        {
            arguments[arguments.IndexOf("--base-url") + 1] = value;
        }
        else
        {
            arguments.AddRange([option, value]);
        }

        var run = await Cli.RunAsync(dir, Runs.Key, [.. arguments]);

        Assert.True(run.ExitCode == 2, Runs.Explain(run));
        Assert.Contains(option, run.Stderr);
        Assert.DoesNotContain("hunter2secret", run.Stdout + run.Stderr);
        Assert.DoesNotContain("Unhandled", run.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
        Assert.False(File.Exists(Path.Combine(dir, "results.jsonl")));
    }

    [Fact]
    public async Task Simulate_on_port_0_prints_its_URL_and_stops_after_max_seconds()
    {
        var run = await Cli.RunAsync(Files.TempDirectory(), null, "simulate", "--port", "0", "--max-seconds", "1");

        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        Assert.Matches(new Regex(@"http://127\.0\.0\.1:[1-9]\d*"), run.Stdout);
    }
}
