using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice run --dry-run</c>: validates and estimates, sends nothing.</summary>
public sealed partial class DryRunTests
{
    [Fact]
    public async Task A_dry_run_counts_requests_and_tokens_prices_them_and_sends_nothing()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Path.Combine(dir, "requests.jsonl");
        var bodies = Enumerable.Range(0, 300)
            .Select(i => $$"""{"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarise item {{i}}: {{new string('x', i % 40)}} and more words {{i * 7}}."}], "max_tokens": {{100 + i}}}""")
            .ToList();
        File.WriteAllLines(input, bodies.Select((b, i) => $$"""{"custom_id": "item-{{i}}", "method": "POST", "url": "/v1/chat/completions", "body": {{b}}}"""));
        long inputTokens = bodies.Sum(b => (long)TokenEstimator.CountRequest(Encoding.UTF8.GetBytes(b)).InputTokens);
        long expected = Enumerable.Range(0, 300).Sum(i => (long)Math.Min(100 + i, 256));
        long high = Enumerable.Range(0, 300).Sum(i => (long)(100 + i));
        const decimal InPrice = 2.5m, OutPrice = 10m;
        string prices = Runs.PricesFile(dir, "{\"models\": {\"gpt-4o-mini\": {\"input_per_1m\": 2.5, \"output_per_1m\": 10}}}");

        var priced = await Cli.RunAsync(dir, Runs.Key, [.. Runs.Arguments(simulator, input, "results.jsonl", "--dry-run", "--prices", prices)]);
        var unpriced = await Cli.RunAsync(dir, Runs.Key, [.. Runs.Arguments(simulator, input, "results.jsonl", "--dry-run")]);

        Assert.True(priced.ExitCode == 0, Runs.Explain(priced));
        Assert.True(unpriced.ExitCode == 0, Runs.Explain(unpriced));
        Assert.Equal(300, Number(priced.Stdout, "requests"));
        Assert.Equal(inputTokens, Number(priced.Stdout, "input tokens"));
        var output = Row(priced.Stdout, "output tokens").Split('/').Take(3).Select(p => long.Parse(p.Trim().Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([300L, expected, high], output);
        string cost = Row(priced.Stdout, "cost");
        Assert.StartsWith($"{Dollars(Cost(inputTokens, 300))} / {Dollars(Cost(inputTokens, expected))} / {Dollars(Cost(inputTokens, high))}", cost);
        Assert.StartsWith("unknown", Row(unpriced.Stdout, "cost"));
        Assert.DoesNotContain("$0", Row(unpriced.Stdout, "cost"));
        Assert.Equal(0, simulator.GetStats().Requests);
        Assert.False(File.Exists(Path.Combine(dir, "results.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(dir, "results.jsonl.sluice")), "a dry run leaves no run directory behind to refuse the real run");

        // Against what the provider bills (the simulator, o200k_base): never less, so --max-cost errs on the safe side.
        // The estimate counts OpenAI's 3 tokens a message plus the role's token (the cookbook's count); the simulator
        // leaves the role out, one token a message fewer: 2 messages × 300 requests.
        var run = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl"));
        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        Assert.InRange(simulator.GetStats().PromptTokens, inputTokens - (2 * 300), inputTokens);

        static decimal Cost(long input, long output) => (input * InPrice + output * OutPrice) / 1_000_000m;
    }

    [Fact]
    public async Task A_malformed_prices_file_exits_2_naming_the_file_and_the_field()
    {
        string dir = Files.TempDirectory();
        string input = Files.ChatRequests(dir, 5);
        string wrongType = Runs.PricesFile(dir, """{"models": {"gpt-4o-mini": {"input_per_1m": "cheap", "output_per_1m": 0.6}}}""", "wrong-type.json");
        string missing = Runs.PricesFile(dir, """{"models": {"gpt-4o-mini": {"input_per_1m": 0.15}}}""", "missing-field.json");
        string notJson = Runs.PricesFile(dir, "{\"models\": {\n  \"gpt-4o-mini\": {\"input_per_1m\": 0.15,, }\n}", "not-json.json");

        foreach (var (file, expected) in new[] { (wrongType, "input_per_1m"), (missing, "output_per_1m"), (notJson, "line 2") })
        {
            var run = await Cli.RunAsync(dir, Runs.Key, "run", "-i", input, "-o", "results.jsonl", "--dry-run", "--prices", file);
            Assert.True(run.ExitCode == 2, Runs.Explain(run));
            Assert.Contains(file, run.Stderr);
            Assert.Contains("--prices", run.Stderr);
            Assert.Contains(expected, run.Stderr);
        }
    }

    private static string Dollars(decimal d) => "$" + d.ToString(d < 1 ? "0.0000" : "N2", CultureInfo.InvariantCulture);

    private static string Row(string stdout, string label)
    {
        var match = Regex.Match(stdout, $@"^\s+{Regex.Escape(label)}\s+(.+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no '{label}' row in:\n{stdout}");
        return match.Groups[1].Value.Trim();
    }

    private static long Number(string stdout, string label) =>
        long.Parse(Row(stdout, label).Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}
