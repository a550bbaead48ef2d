using System.Text.Json;
using Sluice.BatchFiles;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice run</c> as a user runs it: the built command in a child process, real HTTP to the simulator.</summary>
public sealed class RunTests
{
    private static readonly Dictionary<string, string> Key = new() { ["SLUICE_TEST_KEY"] = "sk-test-0123456789abcdef-never-printed" };

    [Fact]
    public async Task Faults_and_a_rate_limit_every_item_succeeds_once_and_no_success_is_sent_twice()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            LatencyMs = 5,
            Error500Rate = 0.10,
            HangRate = 0.02,
            RequestsPerMinute = 24_000,
            BurstSeconds = 1,
        });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 5_000);

        var (code, stdout, stderr) = await Cli.RunAsync(dir, Key,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY",
            "--timeout", "1", "--max-attempts", "10");

        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var ok = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        var failed = Files.CustomIds(Path.Combine(dir, "results.errors.jsonl"));
        Assert.Empty(failed);
        Assert.Equal(5_000, ok.Count);
        Assert.Equal(5_000, ok.Distinct().Count());
        var stats = simulator.GetStats();
        Assert.True(stats.Faults["Error500"] > 0 && stats.Faults["Hang"] > 0, "the faults happened");
        Assert.Equal(5_000, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.jsonl.sluice", "summary.json")));
        Assert.Equal("succeeded", summary.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(5_000, summary.RootElement.GetProperty("counts").GetProperty("succeeded").GetInt64());
        Assert.True(summary.RootElement.GetProperty("counts").GetProperty("retries").GetInt64() > 0);
    }

    [Fact]
    public async Task In_flight_counts_the_requests_sent_never_more_than_the_concurrency_limit()
    {
        // The run admits twice the limit (16 items) so a freed slot is taken at once; only the 8 holding a slot are in flight.
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 50 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 800);

        var (code, stdout, stderr) = await Cli.RunAsync(dir, Key,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY",
            "--concurrency", "8");

        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var samples = Runs.Lines(Path.Combine(dir, "results.jsonl.sluice", "timeline.jsonl"))
            .Where(line => line.GetProperty("type").GetString() == "sample")
            .ToList();
        Assert.All(samples, s => Assert.InRange(s.GetProperty("in_flight").GetInt64(), 0, 8));
        Assert.Contains(samples, s => s.GetProperty("in_flight").GetInt64() > 0);
        Assert.InRange(simulator.GetStats().PeakInFlight, 1, 8);
        Assert.Contains("in flight 0 (limit 8)", stderr + stdout); // the final summary line
    }

    [Fact]
    public async Task Killed_with_SIGKILL_part_way_a_resume_sends_nothing_journalled_and_lists_each_item_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 20 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 3_000);
        string[] arguments = ["run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY", "--concurrency", "32"];
        string journal = Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl");

        using (var first = Cli.Start(dir, Key, arguments))
        {
            while (Files.JournalLines(journal) < 600)
            {
                Assert.False(first.HasExited, $"sluice exited before the kill: {first.Stderr}");
                await Task.Delay(10);
            }

            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(File.Exists(Path.Combine(dir, "results.jsonl")), "no output file after a kill");
        var done = await RunJournalReader.ReadCompletedAsync(journal);
        Assert.InRange(done.Count, 600, 2_999);
        await simulator.ResetWhenIdleAsync();

        var (code, stdout, stderr) = await Cli.RunAsync(dir, Key, [.. arguments, "--resume"]);

        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var stats = simulator.GetStats();
        Assert.Equal(3_000 - done.Count, stats.DistinctBodies); // only what the journal did not hold was sent
        var ok = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(3_000, ok.Count);
        Assert.Equal(3_000, ok.Distinct().Count());
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")));
    }

    [Fact]
    public async Task Ctrl_C_drains_what_is_in_flight_prints_the_resume_command_and_the_resume_finishes()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 50 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 2_000);
        string[] arguments = ["run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY", "--concurrency", "16", "--ordered"];
        string journal = Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl");

        int exit;
        string said;
        using (var first = Cli.Start(dir, Key, arguments))
        {
            while (Files.JournalLines(journal) < 200)
            {
                await Task.Delay(10);
            }

            first.Interrupt();
            exit = await first.WaitAsync(TimeSpan.FromSeconds(60));
            said = first.Stdout + first.Stderr;
        }

        Assert.True(exit == 130, $"exit {exit}: {said}");
        Assert.Contains("--resume", said);
        Assert.Equal(0, simulator.GetStats().InFlight); // drained: nothing was left waiting on the provider
        Assert.False(File.Exists(Path.Combine(dir, "results.jsonl")));
        var done = await RunJournalReader.ReadCompletedAsync(journal);
        Assert.Equal(Files.JournalLines(journal), done.Count); // every record whole: a drain, not a crash
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.jsonl.sluice", "summary.json"))))
        {
            Assert.Equal("interrupted", summary.RootElement.GetProperty("outcome").GetString());
        }

        await simulator.ResetWhenIdleAsync();
        var (code, stdout, stderr) = await Cli.RunAsync(dir, Key, [.. arguments, "--resume"]);

        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Equal(2_000 - done.Count, simulator.GetStats().DistinctBodies);
        var ok = Files.CustomIds(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"item-{i}"), ok); // --ordered: input order across both runs
    }

    [Fact]
    public async Task Malformed_lines_are_reported_with_their_line_numbers_and_nothing_is_sent()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Path.Combine(dir, "bad.jsonl");
        string good = """{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}""";
        File.WriteAllLines(input,
        [
            good,                                                                                                  // 1
            "{not json",                                                                                           // 2
            good,                                                                                                  // 3 duplicate custom_id
            """{"custom_id": "c", "method": "POST", "url": "/v1/images", "body": {"model": "gpt-4o-mini"}}""",      // 4 unsupported url
            """{"custom_id": "d", "method": "POST", "url": "/v1/chat/completions"}""",                             // 5 missing body
            """{"custom_id": "e", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": []}}""", // 6 other model
            """{"method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini"}}""",              // 7 missing custom_id
        ]);

        var (code, stdout, stderr) = await Cli.RunAsync(dir, Key,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY");

        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        foreach (string expected in new[] { "line 2", "line 3", "line 4", "line 5", "line 6", "line 7" })
        {
            Assert.Contains(expected, stderr);
        }

        Assert.DoesNotContain("line 1,", stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
        using var errors = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.jsonl.sluice", "input-errors.json")));
        var lines = errors.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("line").GetInt64()).Distinct().Order().ToArray();
        Assert.Equal([2L, 3, 4, 5, 6, 7], lines);
        var codes = errors.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToHashSet();
        Assert.Contains("invalid_json_line", codes);
        Assert.Contains("duplicate_custom_id", codes);
        Assert.Contains("model_mismatch", codes);
        Assert.False(File.Exists(Path.Combine(dir, "results.jsonl")));

        // --skip-invalid: the valid line is sent; each invalid line with an id of its own is in the errors file.
        var skipped = await Cli.RunAsync(dir, Key,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY", "--skip-invalid", "--resume");
        Assert.True(skipped.ExitCode == 3, $"exit {skipped.ExitCode}\n{skipped.Stdout}\n{skipped.Stderr}");
        Assert.Equal(["a"], Files.CustomIds(Path.Combine(dir, "results.jsonl")));
        Assert.Equal(["c", "d", "e"], Files.CustomIds(Path.Combine(dir, "results.errors.jsonl")).Order());
        Assert.Equal(1, simulator.GetStats().Requests);
    }

    [Fact]
    public async Task A_missing_key_variable_is_named_and_exits_2_and_the_key_never_reaches_a_file_or_the_output()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Error500Rate = 0.2 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 200, extraBody: i => i % 2 == 0 ? ", \"temperature\": 0" : string.Empty);

        var missing = await Cli.RunAsync(dir, null,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_NOT_SET_ANYWHERE");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("SLUICE_NOT_SET_ANYWHERE", missing.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);

        string cache = Path.Combine(dir, "cache");
        var run = await Cli.RunAsync(dir, Key,
            "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", "SLUICE_TEST_KEY",
            "--max-attempts", "1", "--cache", cache);
        Assert.True(run.ExitCode is 0 or 3, run.Stderr);
        string key = Key["SLUICE_TEST_KEY"];
        Assert.DoesNotContain(key, run.Stdout + run.Stderr);
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            Assert.False(File.ReadAllText(file).Contains(key, StringComparison.Ordinal), $"{file} holds the API key");
            Assert.False(File.ReadAllText(file).Contains("0123456789abcdef", StringComparison.Ordinal), $"{file} holds part of the API key");
        }
    }
}
