using System.Text.Json;
using Sluice.BatchFiles;
using Sluice.Cluster.Runs;
using Sluice.Simulator;

namespace Sluice.Cluster.Tests.Runs;

/// <summary>The options of <c>sluice run</c> on a sharded run: invalid lines skipped once over the whole file, errors
/// retried by a later submission, a cache shared by every worker, a cost limit for the whole run, and shards
/// abandoned after their leases lapse too often.</summary>
public sealed partial class ShardedRunClusterTests
{
    [Fact]
    public async Task Skip_invalid_lists_each_invalid_line_once_even_a_duplicate_or_a_second_model_in_another_shard_and_sends_the_rest()
    {
        var options = await WriteRunAsync(items: 600) with { ShardLines = 100, SkipInvalid = true };
        var lines = File.ReadAllLines(options.InputPath);
        lines[149] = "{\"custom_id\":\"item-00150\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"}"; // no body
        lines[419] = lines[419].Replace("item-00420", "item-00010", StringComparison.Ordinal); // repeats shard 0's id in shard 4
        lines[509] = lines[509].Replace("gpt-4o-mini", "gpt-4o", StringComparison.Ordinal); // a second model, in shard 5
        await File.WriteAllLinesAsync(options.InputPath, lines);

        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var status = await FinishAsync(options);

        var output = Ids(options.OutputPath);
        var errors = Errors(status.ErrorsPath);
        string[] invalid = ["item-00150", "item-00420", "item-00510"];
        Assert.Equal(InputIds().Take(600).Except(invalid), output); // in input order, each once; the duplicate's first line ran
        Assert.Equal(["item-00150", "item-00510"], errors.Select(e => e.Id)); // the duplicate has no id of its own to list
        Assert.All(errors, e => Assert.Equal(BatchErrorCodes.InvalidInputLine, e.Code));
        Assert.Equal(597, status.OutputLines);
        Assert.Equal(2, status.ErrorLines);
        Assert.Equal(599, status.Items.Total);
        Assert.Equal(599, status.Items.Done);
        Assert.Equal(2, status.Items.Failed);
        var stats = await _simulator.GetStatsWhenIdleAsync();
        Assert.Equal(597, stats.DistinctSucceeded);
        Assert.Equal(597, stats.Requests); // neither invalid line was sent, nor the duplicate
    }

    [Fact]
    public async Task Retry_errors_sends_again_exactly_the_items_that_failed_and_assembles_the_files_again()
    {
        _simulator.UpdateOptions(o => o with { Error500Rate = 0.3 });
        var options = await WriteRunAsync(items: 600) with { ShardLines = 100, MaxAttempts = 1 };
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var first = await FinishAsync(options);
        var failed = Errors(first.ErrorsPath).Select(e => e.Id).ToList();
        Assert.InRange(failed.Count, 60, 300);
        Assert.Equal(600, first.OutputLines + first.ErrorLines);

        await _simulator.ResetWhenIdleAsync();
        _simulator.UpdateOptions(o => o with { Error500Rate = 0 });
        var again = await ShardedRun.SubmitAsync(_cluster.Client, options); // the same command: only follows
        Assert.True(again.Finished);
        var retried = await ShardedRun.SubmitAsync(_cluster.Client, options with { RetryErrors = true });
        Assert.False(retried.Finished);
        var second = await FinishAsync(options);

        Assert.Equal(600, second.OutputLines);
        Assert.Equal(0, second.ErrorLines);
        Assert.Equal(InputIds().Take(600), Ids(options.OutputPath));
        var stats = await _simulator.GetStatsWhenIdleAsync();
        Assert.Equal(failed.Count, stats.Requests); // the failed items, and nothing else
        Assert.Equal(failed.Count, stats.DistinctSucceeded);
    }

    [Fact]
    public async Task A_cache_every_worker_shares_answers_a_second_run_without_a_request()
    {
        var options = await WriteRunAsync(items: 600) with { ShardLines = 100, CacheDirectory = Path.Combine(_directory, "cache") };
        await File.WriteAllTextAsync(options.InputPath, (await File.ReadAllTextAsync(options.InputPath)).Replace("\"max_tokens\":8", "\"max_tokens\":8,\"temperature\":0", StringComparison.Ordinal));
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var first = await FinishAsync(options);
        Assert.Equal(600, first.OutputLines);
        Assert.Equal(600, (await _simulator.GetStatsWhenIdleAsync()).Requests);

        await _simulator.ResetWhenIdleAsync();
        var again = options with { OutputPath = Path.Combine(_directory, "again.jsonl") };
        await ShardedRun.SubmitAsync(_cluster.Client, again);
        var second = await FinishAsync(again);

        Assert.Equal(600, second.OutputLines);
        Assert.Equal(600, second.Items.CacheHits);
        Assert.Equal(0, (await _simulator.GetStatsWhenIdleAsync()).Requests);
        Assert.Equal(Bodies(options.OutputPath), Bodies(again.OutputPath));
    }

    [Fact]
    public async Task Max_cost_caps_the_whole_runs_spend_over_every_worker_passing_it_by_at_most_the_other_shards_admitted_work()
    {
        // Every request costs exactly $8 (8 output tokens at $1 each, its max_tokens, which is also what admission
        // reserves), so the limit of $1,200 is 150 requests. Slow answers keep each worker's rate at 80 a second.
        await using var slow = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 100, Seed = 16 });
        const int items = 600, limitRequests = 150;
        var options = await WriteRunAsync(items: items) with
        {
            BaseUrl = slow.OpenAIEndpoint.ToString(),
            ShardLines = 50,
            Price = new ShardedRunPrice(0, 1_000_000),
            MaxCost = 8 * limitRequests,
        };
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var status = await FinishAsync(options);

        var sent = Ids(options.OutputPath);
        var notSent = Errors(status.ErrorsPath);
        Assert.All(notSent, e => Assert.Equal(BatchErrorCodes.CostLimitReached, e.Code));
        Assert.Equal(InputIds().Take(items).Order(), sent.Concat(notSent.Select(e => e.Id)).Order()); // each item once
        var stats = await slow.GetStatsWhenIdleAsync();
        output.WriteLine($"limit {limitRequests} requests; sent {stats.Requests}; not sent {notSent.Count}; cost {status.Items.Cost}");
        Assert.Equal(sent.Count, stats.Requests);
        Assert.Equal(8m * sent.Count, status.Items.Cost);
        Assert.Equal(notSent.Count, status.Items.NotSent);
        // It stops: no more than the limit plus what the other shards had admitted and not finished (up to two shards
        // per worker, each admitting no more ahead than its lane's limit) plus what they admitted before their reports
        // reached the coordinator (at 100 ms an answer, up to two fills of each worker's slots in two report intervals).
        Assert.InRange(sent.Count, limitRequests - 1, limitRequests + 3 * 2 * Concurrency + 3 * 2 * Concurrency);
    }

    [Fact]
    public async Task A_shard_whose_lease_lapses_three_times_in_a_row_is_abandoned_into_the_errors_file_and_retry_errors_sends_it_later()
    {
        const string variable = "SLUICE_TEST_POISON_KEY";
        Environment.SetEnvironmentVariable(variable, null); // every worker fails on every shard: no key to send
        var options = await WriteRunAsync(items: 300) with { ShardLines = 100, ApiKeyVariable = variable, LeaseDuration = TimeSpan.FromMilliseconds(300) };
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        var status = await FinishAsync(options);

        Assert.Equal(0, status.OutputLines);
        var errors = Errors(status.ErrorsPath);
        Assert.Equal(InputIds().Take(300), errors.Select(e => e.Id));
        Assert.All(errors, e => Assert.Equal(ShardedRunErrorCodes.ShardAbandoned, e.Code));
        var files = new ShardFiles(options.OutputPath);
        for (int shard = 0; shard < 3; shard++)
        {
            // Leased three times (each lapsed), then closed under an epoch of its own.
            Assert.Equal(ShardedRunOptions.DefaultMaxLeaseLapses + 1, files.EpochsOf(shard).Count());
        }

        Assert.Equal(0, (await _simulator.GetStatsWhenIdleAsync()).Requests);

        Environment.SetEnvironmentVariable(variable, "test-key");
        try
        {
            await ShardedRun.SubmitAsync(_cluster.Client, options with { RetryErrors = true });
            var retried = await FinishAsync(options);
            Assert.Equal(300, retried.OutputLines);
            Assert.Equal(0, retried.ErrorLines);
            Assert.Equal(InputIds().Take(300), Ids(options.OutputPath));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static List<string> Ids(string path) =>
        [.. File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!)];

    private static List<(string Id, string? Code)> Errors(string path) =>
        [.. File.ReadLines(path).Select(l =>
        {
            var root = JsonDocument.Parse(l).RootElement;
            string? code = root.GetProperty("error") is { ValueKind: JsonValueKind.Object } error ? error.GetProperty("code").GetString() : null;
            return (root.GetProperty("custom_id").GetString()!, code);
        })];

    private static Dictionary<string, string> Bodies(string path) =>
        File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("custom_id").GetString()!, r => r.GetProperty("response").GetProperty("body").GetRawText());
}
