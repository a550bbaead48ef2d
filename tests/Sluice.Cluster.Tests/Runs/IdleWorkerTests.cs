using System.Text;
using Orleans.TestingHost;
using Sluice.Cluster.Hosting;
using Sluice.Cluster.Runs;
using Sluice.Simulator;

namespace Sluice.Cluster.Tests.Runs;

/// <summary>An idle worker waits on the run registry, which answers as soon as a run is listed: a run submitted to an
/// idle cluster starts without waiting for the worker's next poll. The worker's poll here is an hour, so a run that
/// starts at all was woken.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdleWorkerTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-idle-").FullName;
    private SimulatorHost _simulator = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, Seed = 15 });
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SlowPollingSilo>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_wait_on_the_registry_ends_when_a_run_is_listed_and_answers_at_once_when_one_is()
    {
        var registry = _cluster.Client.GetGrain<IRunRegistryGrain>(0);
        Assert.Empty(await registry.WaitForRunsAsync(TimeSpan.Zero));

        // 25 s: what the wait would last unwoken (under the 30-s response timeout). The listing is not held up by it
        // (the wait interleaves), and ends it.
        var waiting = registry.WaitForRunsAsync(TimeSpan.FromSeconds(25));
        await registry.AddAsync("run-a").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["run-a"], await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["run-a"], await registry.WaitForRunsAsync(TimeSpan.FromSeconds(25)).WaitAsync(TimeSpan.FromSeconds(10)));

        await registry.RemoveAsync("run-a");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => registry.WaitForRunsAsync(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task A_run_submitted_to_a_worker_that_polls_once_an_hour_runs_to_its_end()
    {
        string input = Path.Combine(_directory, "requests.jsonl");
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            text.Append("{\"custom_id\":\"r").Append(i).Append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}}\n");
        }

        await File.WriteAllTextAsync(input, text.ToString());
        var options = new ShardedRunOptions
        {
            InputPath = input,
            OutputPath = Path.Combine(_directory, "results.jsonl"),
            BaseUrl = _simulator.OpenAIEndpoint.ToString(),
            ShardLines = 100,
            MaxConcurrency = 8,
            LeaseDuration = TimeSpan.FromSeconds(10),
        };

        await Task.Delay(TimeSpan.FromSeconds(1)); // the worker has asked, found nothing, and waits on the registry
        await ShardedRun.SubmitAsync(_cluster.Client, options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var status = await ShardedRun.WaitAsync(_cluster.Client, options.OutputPath, TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token);

        Assert.True(status.Finished);
        Assert.Equal(300, status.OutputLines);
        Assert.Equal(300, File.ReadLines(options.OutputPath).Count());
    }

    private sealed class SlowPollingSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddShardWorker(options => options.IdleDelay = TimeSpan.FromHours(1));
    }
}
