using Sluice.Simulator;

namespace Sluice.AI.Tests;

/// <summary>The benchmark's plan and recommendation rule on scripted measurements, and one small sweep against the simulator.</summary>
public sealed class EndpointBenchmarkTests
{
    private static readonly BenchmarkRule Rule = new();

    /// <summary>A step of a concurrency sweep: <paramref name="perSecond"/> successes a second over one second.</summary>
    private static BenchmarkMeasurement Step(int concurrency, double perSecond, double p50Ms = 100, int rateLimited = 0, int failed = 0, int groupSize = 1)
    {
        int succeeded = (int)Math.Round(perSecond);
        return new BenchmarkMeasurement
        {
            Sweep = groupSize == 1 ? BenchmarkSweep.Concurrency : BenchmarkSweep.GroupSize,
            Concurrency = concurrency,
            GroupSize = groupSize,
            Requests = succeeded + rateLimited + failed,
            Succeeded = succeeded,
            RateLimited = rateLimited,
            Failed = failed,
            ElapsedSeconds = 1,
            LatencyP50Ms = p50Ms,
        };
    }

    [Fact]
    public void The_recommendation_is_where_throughput_stops_rising()
    {
        BenchmarkMeasurement[] steps = [Step(1, 10), Step(2, 20), Step(4, 40), Step(8, 80), Step(16, 160), Step(32, 310), Step(64, 320, p50Ms: 200)];
        var choice = Rule.ChooseConcurrency(steps);
        Assert.Equal(32, choice.Value);
        Assert.Contains("throughput stops rising", choice.Reason);
        Assert.Contains("p50 latency went 2.0×", choice.Reason);
    }

    [Fact]
    public void A_setting_whose_next_step_draws_429s_is_chosen_below_them()
    {
        BenchmarkMeasurement[] steps = [Step(4, 40), Step(8, 80), Step(16, 150), Step(32, 200, rateLimited: 60)];
        var choice = Rule.ChooseConcurrency(steps);
        Assert.Equal(16, choice.Value);
        Assert.Contains("429", choice.Reason);
    }

    [Fact]
    public void A_throughput_still_rising_at_the_largest_step_says_so()
    {
        var choice = Rule.ChooseConcurrency([Step(1, 10), Step(2, 20), Step(4, 40)]);
        Assert.Equal(4, choice.Value);
        Assert.Contains("largest concurrency measured", choice.Reason);
    }

    [Fact]
    public void No_clean_step_gives_no_recommendation()
    {
        var choice = Rule.ChooseConcurrency([Step(1, 5, failed: 5), Step(2, 5, rateLimited: 10)]);
        Assert.Null(choice.Value);
        Assert.Contains("no concurrency measured was clean", choice.Reason);
    }

    [Fact]
    public void The_sweep_stops_after_a_flat_step_or_too_many_refusals_and_not_while_rising()
    {
        Assert.Null(Rule.StopReason([Step(1, 10), Step(2, 20)]));
        Assert.Contains("stopped rising", Rule.StopReason([Step(1, 10), Step(2, 10.5)]));
        Assert.Contains("refused (429) or failed", Rule.StopReason([Step(1, 10), Step(2, 30, rateLimited: 5)]));
        Assert.Null((Rule with { StopEarly = false }).StopReason([Step(1, 10), Step(2, 10)]));
    }

    [Fact]
    public void The_group_size_is_the_smallest_within_the_plateau()
    {
        BenchmarkMeasurement[] steps = [Step(8, 50, groupSize: 1), Step(8, 48, groupSize: 4), Step(8, 30, groupSize: 16), Step(8, 8, groupSize: 64)];
        var choice = Rule.ChooseGroupSize(steps);
        Assert.Equal(16, choice.Value); // 480 texts/s against 512 at 64: within 90 %
        Assert.Contains("texts/s", choice.Reason);
    }

    [Fact]
    public void The_default_plan_doubles_concurrency_to_128_and_caps_the_requests()
    {
        var plan = EndpointBenchmark.Plan(new EndpointBenchmarkOptions());
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128], plan.ConcurrencySteps.Select(s => s.Concurrency));
        Assert.Equal([50, 50, 50, 50, 64, 128, 256, 512], plan.ConcurrencySteps.Select(s => s.Requests));
        Assert.Equal(1_160, plan.MaxRequests);
        Assert.True(plan.MaxEstimatedTokens > 1_160 * 64);

        var capped = EndpointBenchmark.Plan(new EndpointBenchmarkOptions { MaxRequests = 500 });
        Assert.Equal([1, 2, 4, 8, 16, 32], capped.ConcurrencySteps.Select(s => s.Concurrency));
        Assert.Equal([64, 128], capped.DroppedConcurrencies);

        var embeddings = EndpointBenchmark.Plan(new EndpointBenchmarkOptions { Endpoint = BenchmarkEndpoint.Embeddings, Model = "text-embedding-3-small" });
        Assert.Equal(2_000, embeddings.MaxRequests);
        Assert.Equal([1, 4, 16, 64, 256], embeddings.GroupSizes);

        Assert.Throws<ArgumentOutOfRangeException>(() => EndpointBenchmark.Plan(new EndpointBenchmarkOptions { GroupSizes = [4, 2] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EndpointBenchmark.Plan(new EndpointBenchmarkOptions { Rule = new BenchmarkRule { PlateauFraction = 0 } }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(49)]
    public void A_cap_below_the_first_step_is_refused_naming_max_requests_and_the_minimum(int maxRequests)
    {
        var options = new EndpointBenchmarkOptions { MaxRequests = maxRequests };
        Assert.Equal(50, EndpointBenchmark.MinimumMaxRequests(options));
        var refused = Assert.ThrowsAny<ArgumentException>(() => EndpointBenchmark.Plan(options));
        Assert.Equal("MaxRequests", refused.ParamName);
        Assert.Contains("EndpointBenchmarkOptions.MaxRequests must be at least 50", refused.Message);

        // At the minimum the plan is the first step alone; with levels starting higher the minimum follows them.
        Assert.Equal([1], EndpointBenchmark.Plan(options with { MaxRequests = 50 }).ConcurrencySteps.Select(s => s.Concurrency));
        var high = options with { ConcurrencyLevels = [32, 64] };
        Assert.Equal(128, EndpointBenchmark.MinimumMaxRequests(high));
        Assert.Contains("concurrency 32", Assert.ThrowsAny<ArgumentException>(() => EndpointBenchmark.Plan(high with { MaxRequests = 127 })).Message);
    }

    [Theory]
    [InlineData("http://localhost:8080/v1", true)]
    [InlineData("http://127.0.0.5:8080/v1", true)]
    [InlineData("http://[::1]:8080/v1", true)]
    [InlineData("http://0.0.0.0:8080/v1", false)]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("http://192.168.1.10:8000/v1", false)]
    public void Loopback_is_localhost_127_slash_8_or_ipv6_one(string url, bool loopback) =>
        Assert.Equal(loopback, EndpointBenchmark.IsLoopback(new Uri(url)));

    [Fact]
    public async Task A_non_loopback_endpoint_is_refused_before_anything_is_sent()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => EndpointBenchmark.RunAsync(new Uri("http://192.0.2.1:8080/v1"), "sk-key", new EndpointBenchmarkOptions()));
        Assert.Contains("nothing was sent", refused.Message);
        Assert.DoesNotContain("sk-key", refused.Message);
    }

    [Fact]
    public async Task A_small_sweep_sends_each_planned_request_once_and_measures_it()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        var options = new EndpointBenchmarkOptions { ConcurrencyLevels = [1, 4], MinRequestsPerStep = 20, Rule = new BenchmarkRule { StopEarly = false } };
        var seen = new List<BenchmarkMeasurement>();
        var result = await EndpointBenchmark.RunAsync(simulator.OpenAIEndpoint, "sk-key", options, new SynchronousProgress(seen));

        Assert.Equal([20, 20], result.ConcurrencySteps.Select(s => s.Requests));
        Assert.Equal(result.ConcurrencySteps, seen);
        Assert.All(result.ConcurrencySteps, s => Assert.Equal(s.Requests, s.Succeeded));
        Assert.All(result.ConcurrencySteps, s => Assert.True(s.LatencyP50Ms >= 4 && s.LatencyP99Ms >= s.LatencyP50Ms, $"{s}"));
        Assert.All(result.ConcurrencySteps, s => Assert.True(s.OutputTokens > 0 && s.TokensPerSecond > 0));
        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal(40, stats.Requests);
        Assert.Equal(40, stats.DistinctBodies);
        Assert.Equal(40, result.RequestsSent);
        Assert.NotNull(result.Concurrency.Value);
    }

    private sealed class SynchronousProgress(List<BenchmarkMeasurement> seen) : IProgress<BenchmarkMeasurement>
    {
        public void Report(BenchmarkMeasurement value) => seen.Add(value);
    }
}
