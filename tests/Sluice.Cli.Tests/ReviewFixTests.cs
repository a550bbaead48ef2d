using Sluice.BatchFiles;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary>Defects a review found, each with the test that would have caught it.</summary>
public sealed class ReviewFixTests
{
    [Fact]
    public async Task Ctrl_C_stops_the_admitted_items_that_wait_inside_the_client_not_only_admission()
    {
        // auto: the adaptive limit starts at 8 while the engine admits up to 512, so hundreds wait for a slot inside the
        // client. After the stop none of them may be sent: the provider sees at most what was on the wire then.
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 400 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 2_000);
        string journal = Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl");
        using var run = Cli.Start(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl"));
        while (Files.JournalLines(journal) < 8)
        {
            Assert.False(run.HasExited, run.Stderr);
            await Task.Delay(10);
        }

        // The stop counts from when the command says it has stopped admitting, not from when the signal was sent: in
        // between, on a loaded machine, slots that free may legitimately take new requests (CI once saw 13 of a limit
        // of 8 counted from the send). After the message, only what had already left for the wire may still arrive.
        run.Interrupt();
        while (!run.Stderr.Contains("stopping: no new requests", StringComparison.Ordinal))
        {
            Assert.False(run.HasExited, run.Stderr);
            await Task.Delay(5);
        }

        long requestsAtStop = simulator.GetStats().Requests;
        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(30)));

        // Without the fix, the hundreds of items waiting inside the client are sent one by one as slots free.
        long limit = Math.Max(8, simulator.GetStats().PeakInFlight);
        long sentAfter = simulator.GetStats().Requests - requestsAtStop;
        Assert.True(sentAfter <= limit, $"{sentAfter} requests were sent after the stop (limit {limit})");
        var done = await RunJournalReader.ReadCompletedAsync(journal);
        Assert.Equal(Files.JournalLines(journal), done.Count);
    }

    [Fact]
    public async Task A_second_run_on_the_same_run_directory_is_refused_while_the_first_runs()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 200 });
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 400);
        string journal = Path.Combine(dir, "results.jsonl.sluice", "journal.jsonl");
        using var first = Cli.Start(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--concurrency", "8"));
        while (Files.JournalLines(journal) < 1)
        {
            await Task.Delay(10);
        }

        var second = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl", "--concurrency", "8", "--resume"));
        Assert.True(second.ExitCode == 2, Runs.Explain(second));
        Assert.Contains("another sluice run", second.Stderr);

        Assert.Equal(0, await first.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(400, Files.CustomIds(Path.Combine(dir, "results.jsonl")).Distinct().Count());
        Assert.Equal(400, simulator.GetStats().DistinctBodies);
    }

    [Fact]
    public async Task A_key_given_as_the_variable_name_is_refused_without_being_echoed()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 3);
        const string pasted = "sk-proj-Abc123/+=pasted-by-mistake";
        var run = await Cli.RunAsync(dir, null, "run", "-i", input, "-o", "results.jsonl", "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", pasted);
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain(pasted, run.Stdout + run.Stderr);
        Assert.Contains("--api-key-env", run.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
    }

    [Fact]
    public async Task Output_and_errors_must_differ_from_each_other_and_from_the_input()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 3);
        var same = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "out.jsonl", "--errors", "out.jsonl"));
        var overInput = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, input));
        Assert.Equal(2, same.ExitCode);
        Assert.Equal(2, overInput.ExitCode);
        Assert.Equal(0, simulator.GetStats().Requests);
        Assert.Equal(3, File.ReadLines(input).Count());
    }

    [Fact]
    public async Task A_string_that_cannot_be_decoded_is_a_bad_line_with_its_number_not_a_crash()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Path.Combine(dir, "escape.jsonl");
        File.WriteAllLines(input,
        [
            """{"custom_id": "ok", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": []}}""",
            """{"custom_id": "\ud800", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": []}}""",
        ]);
        var run = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl"));
        Assert.True(run.ExitCode == 2, Runs.Explain(run));
        Assert.Contains("line 2", run.Stderr);
        Assert.DoesNotContain("Unhandled", run.Stderr);
        Assert.Equal(0, simulator.GetStats().Requests);
    }

    [Fact]
    public void Only_a_dated_variant_takes_its_base_models_price()
    {
        var prices = new PriceTable(new Dictionary<string, ModelPrice> { ["o1"] = new(15, 60), ["gpt-4o"] = new(2.5m, 10) });
        Assert.True(prices.TryGetPrice("o1-2024-12-17", out var dated));
        Assert.Equal(15, dated.InputPerMillion);
        Assert.True(prices.TryGetPrice("gpt-4o-0513", out _));
        Assert.False(prices.TryGetPrice("o1-pro", out _));
        Assert.False(prices.TryGetPrice("gpt-4o-mini", out _));
    }
}
