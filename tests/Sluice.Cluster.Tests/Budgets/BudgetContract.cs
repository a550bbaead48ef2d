using System.Diagnostics;
using Sluice.AI;
using Sluice.Simulator;
using Sluice.Testing;

namespace Sluice.Cluster.Tests.Budgets;

/// <summary>
/// One contract for every rate budget a lane can draw on: the in-process <see cref="LocalRateBudget"/> (one budget
/// shared by reference), the cluster's budget grain and the Redis script (one <see cref="SharedRateBudget"/> per holder,
/// as separate silos or processes hold them). Each implementation runs every test by deriving from this class.
/// </summary>
public abstract class BudgetContract
{
    private const string Model = "gpt-4o-mini";

    /// <summary>The leaser holder <paramref name="holder"/> draws from (holders are spread over silos or connections),
    /// or <see langword="null"/> for the local implementation: one budget in one process.</summary>
    protected abstract CapacityLeaser? LeaserFor(int holder);

    [Fact]
    public async Task The_requests_limit_holds_across_holders_in_every_window_and_is_used()
    {
        // Three holders with demand far above the limit send real requests through the throughput stack for 65 s.
        const int rpm = 1_200;
        const int holders = 3;
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        var clients = new List<HttpClient>();
        for (int i = 0; i < holders; i++)
        {
            clients.Add(OpenClient(simulator, i, new RateBudgetOptions { RequestsPerMinute = rpm }));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(65));
        simulator.Reset();
        var workers = clients.SelectMany(http => Enumerable.Range(0, 8).Select(w => ChatLoad.SendUntilAsync(http, $"h{clients.IndexOf(http)}w{w}", stop.Token))).ToArray();
        await Task.WhenAll(workers);
        var stats = await simulator.GetStatsWhenIdleAsync(TimeSpan.FromSeconds(10));
        foreach (var http in clients)
        {
            http.Dispose();
        }

        long[] perSecond = stats.PerSecond[..^1]; // the last second is partial
        Assert.True(perSecond.Length >= 64, $"ran {perSecond.Length} s");
        long[] windows = Enumerable.Range(0, perSecond.Length - 59).Select(s => perSecond.Skip(s).Take(60).Sum()).ToArray();
        string seconds = string.Join(",", perSecond);
        Assert.True(windows.Max() <= rpm * 1.02, $"a 60-s window saw {windows.Max()} requests; limit {rpm} (+2 %). Per second: {seconds}");
        Assert.True(perSecond.Max() <= rpm / 60.0 * 1.5, $"a 1-s window saw {perSecond.Max()} requests; limit {rpm / 60} × 1.5. Per second: {seconds}");
        Assert.True(windows.Max() >= rpm * 0.9, $"the best 60-s window used {windows.Max()} of {rpm} requests (< 90 %). Per second: {seconds}");
    }

    [Fact]
    public async Task Holders_with_equal_demand_get_equal_shares()
    {
        var budgets = OpenBudgets(2, new RateBudgetOptions { RequestsPerMinute = 1_200 });
        try
        {
            var counts = new long[2];
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(12));
            var measureFrom = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 4); // after the shares settle
            await Task.WhenAll(Enumerable.Range(0, 2).SelectMany(h => Enumerable.Range(0, 4).Select(_ => AcquireUntilAsync(budgets[h], 1, () =>
            {
                if (Stopwatch.GetTimestamp() >= measureFrom)
                {
                    Interlocked.Increment(ref counts[h]);
                }
            }, stop.Token))));

            double share = counts[0] / (double)(counts[0] + counts[1]);
            Assert.InRange(share, 0.35, 0.65);
            Assert.True(counts[0] + counts[1] >= 1_200 / 60.0 * 8 * 0.85, $"used {counts[0] + counts[1]} in 8 s of a 20/s limit");
        }
        finally
        {
            Close(budgets);
        }
    }

    [Fact]
    public async Task A_holder_that_leaves_gives_its_share_to_the_others()
    {
        var budgets = OpenBudgets(2, new RateBudgetOptions { RequestsPerMinute = 1_200 });
        try
        {
            using var leave = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var second = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AcquireUntilAsync(budgets[1], 1, null, leave.Token)));
            long counted = 0;
            long from = 0;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(14));
            var first = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AcquireUntilAsync(budgets[0], 1, () =>
            {
                if (Volatile.Read(ref from) != 0 && Stopwatch.GetTimestamp() >= Volatile.Read(ref from))
                {
                    Interlocked.Increment(ref counted);
                }
            }, stop.Token)));
            await second;
            Leave(budgets, 1);
            Volatile.Write(ref from, Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3)); // its next renewal has passed
            await first;

            // 14 - 5 - 3 = 6 s alone at a 20/s limit (97 % headroom).
            Assert.True(counted >= 20 * 6 * 0.85, $"the remaining holder was granted {counted} requests in 6 s of a 20/s limit");
        }
        finally
        {
            Close(budgets);
        }
    }

    [Fact]
    public async Task A_429_reported_by_one_holder_pauses_every_holder()
    {
        var budgets = OpenBudgets(3, new RateBudgetOptions { RequestsPerMinute = 1_200 });
        try
        {
            long pausedAt = 0;
            var grants = new long[3];
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(14));
            var workers = Enumerable.Range(0, 3).SelectMany(h => Enumerable.Range(0, 2).Select(_ => AcquireUntilAsync(budgets[h], 1, () =>
            {
                long at = Volatile.Read(ref pausedAt);
                long now = Stopwatch.GetTimestamp();
                if (at != 0 && now >= at + (Stopwatch.Frequency * 3) && now < at + (Stopwatch.Frequency * 7))
                {
                    Interlocked.Increment(ref grants[h]); // inside [3 s, 7 s) of an 8-s pause
                }
            }, stop.Token))).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(4));
            Volatile.Write(ref pausedAt, Stopwatch.GetTimestamp());
            budgets[0].PauseFor(TimeSpan.FromSeconds(8));
            await Task.WhenAll(workers);
            Assert.Equal(new long[3], grants);
        }
        finally
        {
            Close(budgets);
        }
    }

    [Fact]
    public async Task The_tokens_limit_holds_across_holders()
    {
        const int tpm = 60_000; // 1,000 tokens a second
        var budgets = OpenBudgets(3, new RateBudgetOptions { TokensPerMinute = tpm });
        try
        {
            var perSecond = new long[20];
            long start = Stopwatch.GetTimestamp();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(12));
            await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(h => Enumerable.Range(0, 3).Select(_ => AcquireUntilAsync(budgets[h], 100, () =>
            {
                int second = (int)Stopwatch.GetElapsedTime(start).TotalSeconds;
                Interlocked.Add(ref perSecond[second], 100);
            }, stop.Token, reconcile: (100, 100)))));

            long[] seconds = perSecond[..11];
            Assert.True(seconds.Max() <= tpm / 60.0 * 1.5 + 100, $"a 1-s window granted {seconds.Max()} tokens; limit {tpm / 60} × 1.5. Per second: {string.Join(",", seconds)}");
            long total = seconds[1..].Sum();
            Assert.InRange(total, tpm / 60.0 * 10 * 0.85, tpm / 60.0 * 10 * 1.05);
        }
        finally
        {
            Close(budgets);
        }
    }

    [Fact]
    public async Task Input_and_output_token_limits_hold_apart()
    {
        // Anthropic-style limits: 1,000 input and 500 output tokens a second; requests of 100 in and 100 out, so the
        // output limit binds and the input limit is used only half.
        var budgets = OpenBudgets(3, new RateBudgetOptions { InputTokensPerMinute = 60_000, OutputTokensPerMinute = 30_000 });
        try
        {
            var output = new long[20];
            var input = new long[20];
            long start = Stopwatch.GetTimestamp();
            var cost = new TokenCost(100, 100);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(12));
            await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(h => Enumerable.Range(0, 3).Select(_ => AcquireUntilAsync(budgets[h], 0, () =>
            {
                int second = (int)Stopwatch.GetElapsedTime(start).TotalSeconds;
                Interlocked.Add(ref output[second], 100);
                Interlocked.Add(ref input[second], 100);
            }, stop.Token, cost: cost))));

            long[] seconds = output[..11];
            Assert.True(seconds.Max() <= 500 * 1.5 + 100, $"a 1-s window granted {seconds.Max()} output tokens; limit 500 × 1.5. Per second: {string.Join(",", seconds)}");
            Assert.InRange(seconds[1..].Sum(), 500 * 10 * 0.85, 500 * 10 * 1.05);
            Assert.True(input[1..11].Sum() <= 1_000 * 10 * 0.6, "the input limit was not what bound");
        }
        finally
        {
            Close(budgets);
        }
    }

    /// <summary>A client with the whole throughput stack, on this holder's share of the lane.</summary>
    private HttpClient OpenClient(SimulatorHost simulator, int holder, RateBudgetOptions budget)
    {
        var leaser = LeaserFor(holder);
        budget.Leaser = leaser;
        var options = new SluiceClientOptions
        {
            RateBudget = budget,
            Concurrency = { MaxConcurrency = 8 },
            Lanes = leaser is null ? SharedLanes : new ProviderLaneRegistry(), // separate processes share nothing else
        };
        return OpenAICompatible.CreateHttpClient(simulator.OpenAIEndpoint, "sk-contract-test", Model, options).Client;
    }

    private ProviderLaneRegistry SharedLanes { get; } = new();

    private RateBudget[] OpenBudgets(int holders, RateBudgetOptions options)
    {
        string lane = $"contract-{Guid.NewGuid():N}";
        if (LeaserFor(0) is null)
        {
            var one = new LocalRateBudget(options);
            return Enumerable.Repeat<RateBudget>(one, holders).ToArray();
        }

        return Enumerable.Range(0, holders).Select(h => (RateBudget)new SharedRateBudget(lane, LeaserFor(h)!, options)).ToArray();
    }

    /// <summary>A holder leaves: a shared budget is disposed (its share returned); the local budget stays in use by the others.</summary>
    private static void Leave(RateBudget[] budgets, int holder)
    {
        if (budgets[holder] is SharedRateBudget)
        {
            budgets[holder].Dispose();
        }
    }

    private static void Close(RateBudget[] budgets)
    {
        foreach (var budget in budgets.Distinct())
        {
            budget.Dispose();
        }
    }

    private static async Task AcquireUntilAsync(RateBudget budget, int permits, Action? granted, CancellationToken stop, (long Estimated, long Actual)? reconcile = null, TokenCost? cost = null)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var lease = cost is { } both ? await budget.AcquireAsync(both, stop) : await budget.AcquireAsync(permits, stop);
                if (lease.IsAcquired && !stop.IsCancellationRequested)
                {
                    granted?.Invoke();
                    if (reconcile is { } r)
                    {
                        budget.Reconcile(r.Estimated, r.Actual);
                    }

                    if (cost is { } settled)
                    {
                        budget.Reconcile(settled, settled);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the holder left
            }
        }
    }
}
