using System.Net;
using System.Text.Json;

namespace Sluice.Simulator.Tests;

public sealed class FaultTests
{
    private const int Requests = 400;

    [Fact]
    public async Task Each_fault_kind_occurs_at_its_configured_rate_and_stats_agree_with_what_the_client_saw()
    {
        var options = new SimulatorOptions
        {
            Seed = 7, Error500Rate = 0.1, Error502Rate = 0.1, Error503Rate = 0.1, HangRate = 0.05, DropRate = 0.1, MalformedRate = 0.1, MaxHangMs = 100,
        };
        await using var host = await SimulatorHost.StartAsync(options);
        using var client = Http.Client(host);
        var seen = new Dictionary<string, int>();
        var gate = new SemaphoreSlim(16);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            await gate.WaitAsync();
            try { return await ClassifyAsync(client, Http.ChatBody($"item {i}")); }
            finally { gate.Release(); }
        }));
        foreach (var outcome in outcomes)
            seen[outcome] = seen.GetValueOrDefault(outcome) + 1;

        await host.GetStatsWhenIdleAsync(); // the last answers are counted after their bodies are written
        var stats = await Http.StatsAsync(client);
        var faults = stats.GetProperty("faults");
        foreach (var (kind, rate) in new[] { ("Error500", 0.1), ("Error502", 0.1), ("Error503", 0.1), ("Hang", 0.05), ("Drop", 0.1), ("Malformed", 0.1) })
        {
            long injected = faults.GetProperty(kind).GetInt64();
            double sd = Math.Sqrt(Requests * rate * (1 - rate));
            Assert.InRange(injected, (long)(Requests * rate - 4 * sd), (long)Math.Ceiling(Requests * rate + 4 * sd));
        }
        Assert.Equal(faults.GetProperty("Error500").GetInt64(), seen.GetValueOrDefault("500"));
        Assert.Equal(faults.GetProperty("Error502").GetInt64(), seen.GetValueOrDefault("502"));
        Assert.Equal(faults.GetProperty("Error503").GetInt64(), seen.GetValueOrDefault("503"));
        Assert.Equal(faults.GetProperty("Malformed").GetInt64(), seen.GetValueOrDefault("malformed"));
        Assert.Equal(faults.GetProperty("Hang").GetInt64() + faults.GetProperty("Drop").GetInt64(), seen.GetValueOrDefault("connection"));
        Assert.Equal(seen.GetValueOrDefault("ok"), stats.GetProperty("distinct_succeeded").GetInt64());
        Assert.Equal(Requests, stats.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task The_same_seed_injects_the_same_faults_into_the_same_requests()
    {
        var options = new SimulatorOptions { Seed = 3, Error503Rate = 0.3 };
        var runs = new List<string[]>();
        for (int run = 0; run < 2; run++)
        {
            await using var host = await SimulatorHost.StartAsync(options);
            using var client = Http.Client(host);
            var outcomes = new List<string>();
            for (int i = 0; i < 40; i++)
                outcomes.Add(await ClassifyAsync(client, Http.ChatBody($"item {i}")));
            runs.Add(outcomes.ToArray());
        }

        Assert.Equal(runs[0], runs[1]);
        Assert.Contains("503", runs[0]);
        Assert.Contains("ok", runs[0]);
    }

    [Fact]
    public async Task A_hang_holds_the_request_until_the_client_gives_up()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { HangRate = 1, MaxHangMs = 20_000 });
        using var client = Http.Client(host);
        using var giveUp = new CancellationTokenSource();
        var post = client.PostAsync("/v1/chat/completions", new StringContent(Http.ChatBody("hang")), giveUp.Token);

        // Wait until the simulator holds the request (a cold first request can take a while to arrive), then give up.
        for (int i = 0; i < 500 && host.GetStats().InFlight == 0; i++)
            await Task.Delay(10);
        Assert.Equal(1, host.GetStats().InFlight);
        await Task.Delay(300);
        Assert.False(post.IsCompleted, "the hung request was answered");
        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        var stats = await host.GetStatsWhenIdleAsync(TimeSpan.FromSeconds(20)); // throws if the hang is still held
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(1, stats.Faults["Hang"]);
    }

    [Fact]
    public async Task Faults_can_be_switched_on_and_off_between_phases()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);

        Assert.Equal("ok", await ClassifyAsync(client, Http.ChatBody("a")));
        host.UpdateOptions(o => o with { Error502Rate = 1 });
        Assert.Equal("502", await ClassifyAsync(client, Http.ChatBody("a")));
        var patched = await Http.PostAsync(client, "/admin/config", """{"error502_rate": 0, "drop_rate": 1}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("connection", await ClassifyAsync(client, Http.ChatBody("a")));
        Assert.Equal(1.0, host.Options.DropRate);
    }

    private static async Task<string> ClassifyAsync(HttpClient client, string body)
    {
        try
        {
            var response = await Http.PostAsync(client, "/v1/chat/completions", body);
            string text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
                return ((int)response.StatusCode).ToString();
            try
            {
                JsonDocument.Parse(text).Dispose();
                return "ok";
            }
            catch (JsonException)
            {
                return "malformed";
            }
        }
        catch (HttpRequestException)
        {
            return "connection";
        }
        catch (IOException)
        {
            return "connection";
        }
    }
}
