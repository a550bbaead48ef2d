using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>--resume</c>: <c>--retry-errors</c> re-sends only the failures; a changed configuration or a missing
/// <c>--resume</c> is refused before anything is sent.</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task Retry_errors_resends_only_the_failed_items_and_the_final_files_hold_each_id_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 2, Error500Rate = 0.25 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 200);
        string[] arguments = Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "1", "--concurrency", "16");

        var first = await Cli.RunAsync(dir, Runs.Key, arguments);

        Assert.True(first.ExitCode == 3, Runs.Explain(first));
        var failed = Files.CustomIds(Path.Combine(dir, "results.errors.jsonl"));
        var succeeded = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.InRange(failed.Count, 10, 120);
        Assert.Equal(200, failed.Concat(succeeded).Distinct().Count());
        Assert.Equal(200, simulator.GetStats().Requests); // one attempt each

        simulator.UpdateOptions(o => o with { Error500Rate = 0 });
        await simulator.ResetWhenIdleAsync();
        var again = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume", "--retry-errors"]);

        Assert.True(again.ExitCode == 0, Runs.Explain(again));
        var stats = simulator.GetStats();
        Assert.Equal(failed.Count, stats.Requests);
        Assert.Equal(failed.Count, stats.DistinctSucceeded);
        var ok = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(200, ok.Count);
        Assert.Equal(200, ok.Distinct().Count());
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")));

        // A plain resume of the finished run sends nothing and rewrites the same files.
        await simulator.ResetWhenIdleAsync();
        var plain = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume"]);
        Assert.True(plain.ExitCode == 0, Runs.Explain(plain));
        Assert.Equal(0, simulator.GetStats().Requests);
        Assert.Equal(200, Files.CustomIds(Path.Combine(dir, "results.jsonl")).Distinct().Count());
    }

    [Fact]
    public async Task A_resume_with_another_configuration_or_input_and_a_rerun_without_resume_are_refused_saying_why()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 30);

        var first = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "4"));
        Assert.True(first.ExitCode == 0, Runs.Explain(first));
        await simulator.ResetWhenIdleAsync();

        var rerun = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "4"));
        Assert.True(rerun.ExitCode == 2, Runs.Explain(rerun));
        Assert.Contains("--resume", rerun.Stderr);

        var attempts = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "2", "--resume"));
        Assert.True(attempts.ExitCode == 2, Runs.Explain(attempts));
        Assert.Contains("max attempts was \"4\", now \"2\"", attempts.Stderr);

        var timeout = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "4", "--timeout", "2.5", "--resume"));
        Assert.True(timeout.ExitCode == 2, Runs.Explain(timeout));
        Assert.Contains("attempt timeout", timeout.Stderr);

        File.AppendAllLines(input, ["""{"custom_id": "extra", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "one more"}]}}"""]);
        var changed = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--max-attempts", "4", "--resume"));
        Assert.True(changed.ExitCode == 2, Runs.Explain(changed));
        Assert.Contains("input file changed", changed.Stderr);

        Assert.Equal(0, simulator.GetStats().Requests); // nothing sent by a refused run
        Assert.Equal(30, Files.CustomIds(Path.Combine(dir, "results.jsonl")).Count); // and the finished output untouched
    }
}
