using System.ClientModel;
using Microsoft.Extensions.AI;
using Sluice.Simulator;

namespace Sluice.AI.Tests;

/// <summary>The throughput stack against Sluice.Simulator over real HTTP on 127.0.0.1.</summary>
public sealed class ThroughputIntegrationTests
{
    private const string Key = "sk-sluice-test-key";

    // Simulator ports get reused from one test to the next: a lane registry per test keeps each test's budget and
    // limit its own.
    private readonly ProviderLaneRegistry _lanes = new();

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private SluiceClientOptions FastRetries => With(_ => { });

    private SluiceClientOptions With(Action<SluiceClientOptions> change)
    {
        var options = new SluiceClientOptions
        {
            Retry = { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromSeconds(2), MaxAttempts = 10 },
            Lanes = _lanes,
        };
        change(options);
        return options;
    }

    [Fact]
    public async Task Every_call_succeeds_through_5xx_and_hangs_and_each_request_succeeds_exactly_once()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Seed = 7,
            Error500Rate = 0.04,
            Error502Rate = 0.03,
            Error503Rate = 0.03,
            HangRate = 0.03,
            MaxHangMs = 10_000,
        });
        // The attempt timeout cuts the 10 s hangs; it is long enough that an answered attempt never times out on a
        // busy machine (the client would then retry it, and the simulator would see a second success).
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini",
            With(o => { o.Concurrency.MaxConcurrency = 64; o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2); }));
        var ledger = client.GetService<UsageLedger>()!;
        await client.GetResponseAsync("warm-up: the tokenizer and the first connection");
        await host.ResetWhenIdleAsync();
        long warmUpAttempts = ledger.Attempts;

        var results = new List<ItemResult<int, ChatResponse>>();
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 2000),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"request {i}: say something", cancellationToken: ct)),
                           new BatchOptions { MaxConcurrency = 64, Ordered = false }))
        {
            results.Add(r);
        }

        Assert.Equal(2000, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        var stats = await host.GetStatsWhenIdleAsync();
        Assert.Equal(2000, stats.DistinctSucceeded);
        Assert.Equal(0, stats.SucceededMoreThanOnce);
        Assert.True(stats.Faults.Values.Sum() > 200, $"only {stats.Faults.Values.Sum()} faults were injected");
        Assert.Equal(2001, ledger.Succeeded);
        Assert.Equal(stats.Requests, ledger.Attempts - warmUpAttempts);
        Assert.Equal(ledger.Attempts - 2001, ledger.Retries);
    }

    [Fact]
    public async Task A_400_fails_at_once_after_one_attempt_with_the_providers_message()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { ContextWindowTokens = 50 });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", FastRetries);
        string longPrompt = string.Join(' ', Enumerable.Repeat("tokens", 200));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(longPrompt));
        Assert.Equal(400, ex.Status);
        Assert.Contains("context", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(FailureKind.Permanent, FailureClassifier.Classify(ex));
        Assert.Equal(1, client.GetService<UsageLedger>()!.Attempts);
        Assert.Equal(0, client.GetService<UsageLedger>()!.Retries);
        Assert.Equal(1, (await host.GetStatsWhenIdleAsync()).Requests);
        Assert.DoesNotContain(Key, ex.ToString());
    }

    [Fact]
    public async Task A_429_for_an_exhausted_quota_fails_every_call_at_once_and_does_not_pause_the_budget()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { QuotaExhausted = true });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", With(o => o.Concurrency.MaxConcurrency = 4));

        var calls = Enumerable.Range(0, 8).Select(i => client.GetResponseAsync($"no credit {i}")).ToList();
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<ClientResultException>(() => call);
            Assert.Equal(429, ex.Status);
            Assert.Contains("insufficient_quota", ex.Message);
            Assert.Equal(FailureKind.Permanent, FailureClassifier.Classify(ex));
        }

        var ledger = client.GetService<UsageLedger>()!;
        Assert.Equal(8, ledger.Attempts); // one attempt each: never retried
        Assert.Equal(0, ledger.Retries);
        Assert.Equal(0, client.GetService<RateBudget>()!.Snapshot.Pauses); // nobody was held back for a wait that cures nothing
        Assert.Equal(8, (await host.GetStatsWhenIdleAsync()).Requests);
    }

    [Fact]
    public async Task After_a_429_with_Retry_After_no_caller_of_the_budget_sends_before_it_has_passed()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var recorder = new RecordingHandler();
        var options = With(o => { o.HttpClient = new HttpClient(recorder); o.Concurrency.MaxConcurrency = 16; });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", options);
        var judge = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", options); // same lane

        host.ForceRateLimit(1, TimeSpan.FromSeconds(1));
        var first = client.GetResponseAsync("the one that meets the 429");
        var budget = client.GetService<RateBudget>()!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (budget.Snapshot.Pauses == 0) // the 429 has paused the budget: the others now meet the pause
        {
            Assert.True(waited.Elapsed < Patience, "the 429 never paused the budget");
            await Task.Delay(1);
        }

        var others = Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? client : judge).GetResponseAsync($"caller {i}")).ToList();
        await first;
        await Task.WhenAll(others);

        var exchanges = recorder.Exchanges;
        double limited = exchanges.Single(e => e.Status == 429).ReceivedMs;
        var after = exchanges.Where(e => e.Status == 200).ToList();
        Assert.Equal(11, after.Count);
        Assert.All(after, e => Assert.True(e.SentMs >= limited + 1000, $"sent {e.SentMs - limited:0.0} ms after the 429"));
        Assert.Equal(1, client.GetService<UsageLedger>()!.RateLimited);
    }

    [Fact]
    public async Task At_1200_requests_per_minute_there_are_almost_no_429s_and_the_rate_is_near_the_limit()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { RequestsPerMinute = 1200, BurstSeconds = 1, LatencyMs = 5 });
        using var recorder = new RecordingHandler();
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini",
            With(o => { o.RateBudget.RequestsPerMinute = 1200; o.Concurrency.MaxConcurrency = 32; o.HttpClient = new HttpClient(recorder); }));

        // One call first: loading the tokenizer and opening connections stalls this process (client and simulator
        // alike) for a moment, which would bunch the first requests together at the simulator.
        await client.GetResponseAsync("warm-up");
        await host.ResetWhenIdleAsync();

        const int calls = 140; // about 7 s at 20/s
        var started = DateTime.UtcNow;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, calls),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"steady {i}", cancellationToken: ct)),
                           new BatchOptions { MaxConcurrency = 32 }))
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
        }

        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        var stats = await host.GetStatsWhenIdleAsync();
        var sends = recorder.Exchanges.Where(e => e.Status == 200).Select(e => e.SentMs).Order().Skip(2).ToList(); // after the warm-up
        Assert.True(stats.RateLimited <= calls / 100, $"{stats.RateLimited} 429s of {stats.Requests} responses ({recorder.Exchanges.Count} recorded, per second {string.Join(",", stats.PerSecond)}, by endpoint {string.Join(";", stats.ByEndpoint.Select(e => e.Key + "=" + string.Join(",", e.Value.Select(v => v.Key + ":" + v.Value))))}): "
            + string.Join(", ", recorder.Exchanges.OrderBy(e => e.SentMs).Select(e => $"{e.SentMs:0}/{e.Status}")));
        // The pace is judged by the median gap between sends, so that one stall of the shared 2-core machine does not
        // decide it: the client aims at 0.97 × 1200/min (a 51.5 ms gap); 0.9 × 1200/min is a 55.6 ms gap.
        var gaps = sends.Zip(sends.Skip(1), (a, b) => b - a).Order().ToList();
        double medianGap = gaps[gaps.Count / 2];
        Assert.True(medianGap <= 60_000 / (0.9 * 1200), $"median gap {medianGap:0.0} ms; gaps ms: {string.Join(" ", gaps.Select(g => g.ToString("0")))}");
        Assert.True(seconds > 5, $"finished in {seconds:0.00} s: faster than the limit allows");
    }

    [Fact]
    public async Task Tokens_per_minute_are_kept_within_one_call_and_reconciled()
    {
        const int tpm = 12_000; // 200 tokens/s
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { TokensPerMinute = tpm, BurstSeconds = 1 });
        using var recorder = new RecordingHandler();
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini",
            With(o => { o.RateBudget.TokensPerMinute = tpm; o.RateBudget.Headroom = 1; o.Concurrency.MaxConcurrency = 8; o.HttpClient = new HttpClient(recorder); }));
        var chat = new ChatOptions { MaxOutputTokens = 20 };

        var costs = new List<long>();
        for (int wave = 0; wave < 6; wave++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                client.GetResponseAsync($"wave {wave} call {i}: tell me about rivers and mountains", chat)));
            costs.AddRange(responses.Select(r => r.Usage!.InputTokenCount!.Value + 20));
        }

        var stats = await host.GetStatsWhenIdleAsync();
        Assert.Equal(0, stats.RateLimited);

        // Conformance: tokens sent up to any moment ≤ burst capacity + rate × elapsed + one call.
        var sends = recorder.Exchanges.Where(e => e.Status == 200).Select(e => e.SentMs).Order().ToList();
        long maxCost = costs.Max();
        double perMs = tpm / 60_000.0;
        for (int i = 0; i < sends.Count; i++)
        {
            double allowed = (tpm / 60.0) + (perMs * (sends[i] - sends[0])) + maxCost;
            double sent = maxCost * (i + 1);
            Assert.True(sent <= allowed + maxCost, $"by send {i} about {sent} tokens were sent, {allowed:0} allowed");
        }

        var budget = client.GetService<RateBudget>()!.Snapshot;
        Assert.Equal(30, budget.Granted);
        Assert.True(budget.EstimatedTokens > budget.ActualTokens, "the prompt estimate includes message overhead and should be refunded");
        Assert.Equal(costs.Sum(), budget.ActualTokens);
        Assert.Equal(budget.EstimatedTokens - budget.ActualTokens, budget.RefundedTokens - budget.DebitedTokens);
    }

    [Fact]
    public async Task The_adaptive_limit_settles_near_the_providers_capacity()
    {
        // The simulated latency is long enough to dominate the CPU noise of client and server sharing 2 cores.
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Capacity = 32, LatencyMs = 100, PerTokenLatencyMs = 0.5 });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", FastRetries);
        var limit = Assert.IsType<AdaptiveConcurrencyLimit>(client.GetService<ConcurrencyLimit>());

        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 2000),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"adaptive {i}", cancellationToken: ct)),
                           new BatchOptions { MaxConcurrency = 128, Ordered = false }))
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
        }

        Assert.InRange(limit.CurrentLimit, 22, 48);
        var stats = await host.GetStatsWhenIdleAsync();
        Assert.True(stats.PeakInFlight <= 64, $"peak in flight {stats.PeakInFlight}");
    }

    [Fact]
    public async Task Streaming_and_embeddings_go_through_the_same_stack()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 3, Error503Rate = 0.3 });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", FastRetries);
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            await foreach (var update in client.GetStreamingResponseAsync($"stream {i}"))
            {
                text.Append(update.Text);
            }
        }

        Assert.True(text.Length > 0);
        var ledger = client.GetService<UsageLedger>()!;
        Assert.Equal(10, ledger.Succeeded);
        Assert.True(ledger.Retries > 0, "a 30 % fault rate should have caused retries");

        var embedder = OpenAICompatible.CreateEmbeddingGenerator(host.OpenAIEndpoint, Key, "text-embedding-3-small", FastRetries);
        var embeddings = await embedder.GenerateAsync(Enumerable.Range(0, 20).Select(i => $"text {i}").ToList());
        Assert.Equal(20, embeddings.Count);
        Assert.True(embedder.GetService<UsageLedger>()!.InputTokens > 0);
    }

    [Fact]
    public async Task A_batch_can_follow_the_clients_adaptive_limit_and_report_it()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Capacity = 16, LatencyMs = 20 });
        var client = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, Key, "gpt-4o-mini", FastRetries);
        var adaptive = client.GetService<ConcurrencyLimit>()!;

        // The limit can grow and shrink between two progress reports, and a shrinking limit lets running items
        // finish, so a report's own limit is no bound on its in-flight count. The bound is the highest limit the
        // batch could have read before the report: every read goes through this recorder.
        var recorder = new RecordingLimit(adaptive);
        var progress = new List<(BatchProgress Report, int HighestRead)>();
        var options = new BatchOptions
        {
            ConcurrencyLimit = new FollowingConcurrencyLimit(recorder),
            Ordered = false,
            Progress = new SynchronousProgress(p => { lock (progress) progress.Add((p, recorder.HighestRead)); }),
            ProgressInterval = TimeSpan.Zero,
        };

        int done = 0;
        await foreach (var r in Batch.ProcessAsync(Enumerable.Range(0, 1500),
                           (i, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync($"follow {i}", cancellationToken: ct)), options))
        {
            Assert.True(r.Succeeded, r.Error?.ToString());
            done++;
        }

        Assert.Equal(1500, done);
        lock (progress)
        {
            Assert.NotEmpty(progress);
            foreach (var (p, highestRead) in progress)
            {
                Assert.True(p.InFlight <= highestRead, $"{p.InFlight} in flight; the batch never read a limit above {highestRead}");
                Assert.True(p.InFlight <= adaptive.MaximumLimit, $"{p.InFlight} in flight; the maximum is {adaptive.MaximumLimit}");
            }

            Assert.Contains(progress, e => e.Report.ConcurrencyLimit > 8); // the adaptive limit grew, and the batch saw it
            Assert.Equal(adaptive.CurrentLimit, progress[^1].Report.ConcurrencyLimit);
        }

        Assert.Equal(0, adaptive.InUse);
    }

    /// <summary>Passes everything to another limit and remembers the highest <see cref="CurrentLimit"/> it returned.</summary>
    private sealed class RecordingLimit(ConcurrencyLimit inner) : ConcurrencyLimit
    {
        private int _highestRead;

        public int HighestRead => Volatile.Read(ref _highestRead);

        public override int CurrentLimit
        {
            get
            {
                int value = inner.CurrentLimit;
                int seen = Volatile.Read(ref _highestRead);
                while (value > seen)
                {
                    int previous = Interlocked.CompareExchange(ref _highestRead, value, seen);
                    if (previous == seen)
                    {
                        break;
                    }

                    seen = previous;
                }

                return value;
            }
        }

        public override int MaximumLimit => inner.MaximumLimit;

        public override int InUse => inner.InUse;

        public override ValueTask AcquireAsync(CancellationToken cancellationToken) => inner.AcquireAsync(cancellationToken);

        public override void Release(in ConcurrencyFeedback feedback) => inner.Release(feedback);
    }

    private sealed class SynchronousProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
