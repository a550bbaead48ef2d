using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Tests;

/// <summary>The judge cache (Microsoft.Extensions.AI's distributed caching client over the SQLite store) with a real file in a temporary directory.</summary>
public sealed class JudgeCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-judge-cache-").FullName;

    private string CachePath => Path.Combine(_directory, "judge.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ChatMessage[] Prompt(string text) => [new(ChatRole.System, "judge"), new(ChatRole.User, text)];

    private static ChatOptions Options(long seed = 42) => new() { Temperature = 0, Seed = seed };

    [Fact]
    public async Task A_repeated_call_is_a_hit_and_does_not_reach_the_client()
    {
        var inner = new CountingChatClient((text, _) => "YES " + text);
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new ChatClientBuilder(inner).UseJudgeCache(cache).Build();

        var first = await client.GetResponseAsync(Prompt("a"), Options());
        var second = await client.GetResponseAsync(Prompt("a"), Options());

        Assert.Equal("YES a", first.Text);
        Assert.Equal("YES a", second.Text);
        Assert.Equal("judge-model", second.ModelId);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(1, cache.Count());
    }

    [Fact]
    public async Task A_reply_that_arrives_as_the_caller_cancels_is_returned_and_stored()
    {
        // The provider answered (and was paid); the caller cancels at that very moment. The answer must not be lost.
        using var cts = new CancellationTokenSource();
        var inner = new CountingChatClient((text, _) =>
        {
            cts.Cancel();
            return "YES " + text;
        });
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new JudgeCacheChatClient(inner, cache);

        var response = await client.GetResponseAsync(Prompt("late"), Options(), cts.Token);

        Assert.Equal("YES late", response.Text);
        Assert.Equal(1, cache.Stores);
        Assert.Equal(0, cache.StoreFailures);
    }

    [Fact]
    public async Task Messages_options_and_repetition_are_part_of_the_key()
    {
        var inner = new CountingChatClient((text, call) => $"reply {call}");
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new JudgeCacheChatClient(inner, cache);

        await client.GetResponseAsync(Prompt("a"), Options());
        await client.GetResponseAsync(Prompt("b"), Options());
        await client.GetResponseAsync(Prompt("a"), Options(seed: 7));
        await client.GetResponseAsync(Prompt("a"), new ChatOptions { Temperature = 0, Seed = 42, ModelId = "other" });
        using (JudgeRepetition.Enter(1))
        {
            await client.GetResponseAsync(Prompt("a"), Options());
        }

        Assert.Equal(5, inner.Calls);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(5, cache.Count());
    }

    [Fact]
    public async Task Prune_removes_the_replies_stored_before_the_cutoff_and_keeps_the_later_ones()
    {
        var inner = new CountingChatClient((text, _) => "YES " + text);
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new ChatClientBuilder(inner).UseJudgeCache(cache).Build();
        await client.GetResponseAsync(Prompt("old 1"), Options());
        await client.GetResponseAsync(Prompt("old 2"), Options());
        var between = DateTimeOffset.UtcNow;
        SpinWait.SpinUntil(() => DateTimeOffset.UtcNow > between); // the next reply is stored strictly after the cutoff
        await client.GetResponseAsync(Prompt("new"), Options());

        Assert.Equal(0, cache.Prune(between.AddHours(-1)));
        Assert.Equal(3, cache.Count());
        Assert.Equal(2, cache.Prune(between));
        Assert.Equal(1, cache.Count());

        await client.GetResponseAsync(Prompt("new"), Options()); // kept: a hit
        await client.GetResponseAsync(Prompt("old 1"), Options()); // pruned: asked again
        Assert.Equal(4, inner.Calls);
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public async Task Errors_are_never_cached()
    {
        var inner = new CountingChatClient((_, call) => call == 1 ? throw new HttpRequestException("503") : "YES");
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new JudgeCacheChatClient(inner, cache);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Prompt("a"), Options()));
        Assert.Equal(0, cache.Count());

        var response = await client.GetResponseAsync(Prompt("a"), Options());
        Assert.Equal("YES", response.Text);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(2, cache.Misses);
        Assert.Equal(1, cache.Stores);
    }

    [Fact]
    public async Task The_file_persists_across_instances()
    {
        var inner = new CountingChatClient((_, _) => "NO");
        using (var cache = new SqliteDistributedCache(CachePath))
        {
            await new JudgeCacheChatClient(inner, cache).GetResponseAsync(Prompt("a"), Options());
        }

        using var reopened = new SqliteDistributedCache(CachePath);
        var response = await new JudgeCacheChatClient(inner, reopened).GetResponseAsync(Prompt("a"), Options());
        Assert.Equal("NO", response.Text);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(1, reopened.Hits);
    }

    [Fact]
    public async Task Concurrent_calls_are_safe_and_store_each_key_once()
    {
        var inner = new CountingChatClient((text, _) => "YES " + text);
        using var cache = new SqliteDistributedCache(CachePath);
        using var client = new JudgeCacheChatClient(inner, cache);

        var calls = Enumerable.Range(0, 200).Select(i => Task.Run(() => client.GetResponseAsync(Prompt("p" + (i % 10)), Options())));
        var responses = await Task.WhenAll(calls);

        Assert.All(responses.Select((r, i) => (r, i)), x => Assert.Equal("YES p" + (x.i % 10), x.r.Text));
        Assert.Equal(10, cache.Count());
        Assert.Equal(200, cache.Hits + cache.Misses);
        Assert.Equal(inner.Calls, cache.Misses);
    }

    [Fact]
    public async Task Repeated_evaluations_through_the_runner_are_real_calls_and_a_rerun_is_all_hits()
    {
        var inner = new CountingChatClient((_, _) => "YES, supported.");
        using var cache = new SqliteDistributedCache(CachePath);
        var judge = new ChatClientBuilder(inner).UseJudgeCache(cache).Build();
        var runner = new BatchEvalRunner(
            new Dictionary<string, IEvaluator> { ["faithfulness"] = new FaithfulnessEvaluator(judge) },
            workers: 4,
            options: new BatchEvalOptions { Repeat = 3, JudgeCache = cache });
        string[] queries = ["q0", "q1"];
        IReadOnlyList<IReadOnlyList<string>> contexts = [["c0"], ["c1"]];

        var first = await runner.EvaluateResponseStringsAsync(queries, ["r0", "r1"], contexts);
        Assert.Equal(6, inner.Calls);
        Assert.Equal(0, cache.Hits);

        var rerun = await runner.EvaluateResponseStringsAsync(queries, ["r0", "r1"], contexts);
        Assert.Equal(6, inner.Calls);
        Assert.Equal(6, cache.Hits);
        Assert.All(first["faithfulness"].Concat(rerun["faithfulness"]), o => Assert.Equal([1.0, 1.0, 1.0], o.RepetitionScores));
    }

    [Fact]
    public async Task The_clients_default_model_is_part_of_the_key()
    {
        var first = new CountingChatClient((_, _) => "YES", model: "judge-a");
        var second = new CountingChatClient((_, _) => "YES", model: "judge-b");
        using var cache = new SqliteDistributedCache(CachePath);

        await new JudgeCacheChatClient(first, cache).GetResponseAsync(Prompt("a"), Options());
        await new JudgeCacheChatClient(second, cache).GetResponseAsync(Prompt("a"), Options());
        await new JudgeCacheChatClient(first, cache).GetResponseAsync(Prompt("a"), Options());

        Assert.Equal(1, first.Calls);
        Assert.Equal(1, second.Calls);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(2, cache.Count());
    }

    [Fact]
    public async Task A_failed_store_is_counted_and_the_reply_is_still_returned()
    {
        var inner = new CountingChatClient((text, _) => "YES " + text);
        using var cache = new SqliteDistributedCache(CachePath);
        using (var connection = new SqliteConnection($"Data Source={CachePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON cache_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END;";
            command.ExecuteNonQuery();
        }

        using var client = new JudgeCacheChatClient(inner, cache);
        var response = await client.GetResponseAsync(Prompt("a"), Options());

        Assert.Equal("YES a", response.Text);
        Assert.Equal(1, cache.StoreFailures);
        Assert.Equal(0, cache.Stores);
        Assert.Equal(0, cache.Count());
    }

    [Fact]
    public async Task A_store_that_throws_never_costs_the_caller_its_reply()
    {
        var inner = new CountingChatClient((text, _) => "YES " + text);
        using var client = new ChatClientBuilder(inner).UseJudgeCache(new FailingStore()).Build();

        var response = await client.GetResponseAsync(Prompt("a"), Options());

        Assert.Equal("YES a", response.Text);
    }

    [Fact]
    public async Task An_entry_past_its_absolute_expiration_reads_as_missing_and_is_pruned()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var cache = new SqliteDistributedCache(CachePath, time);
        await cache.SetAsync("k", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        await cache.SetAsync("forever", [4], new DistributedCacheEntryOptions());

        Assert.Equal([1, 2, 3], await cache.GetAsync("k"));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await cache.GetAsync("k"));
        Assert.Equal([4], await cache.GetAsync("forever"));
        Assert.Equal(1, cache.Prune(time.GetUtcNow().AddDays(-1)));
        Assert.Equal(1, cache.Count());
        Assert.Throws<NotSupportedException>(() => cache.Set("s", [5], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) }));
    }

    private sealed class FailingStore : IDistributedCache
    {
        public byte[]? Get(string key) => null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new IOException("disk full");

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
            Task.FromException(new IOException("disk full"));

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key)
        {
        }

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
    }
}
