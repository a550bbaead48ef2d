using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.Evaluation;
using Sluice.Simulator;

namespace Sluice.Bench;

/// <summary>
/// The evaluation suite. <c>eval_simulator</c>: cases × 3 judge evaluators over real HTTP against the simulator
/// (50 ms latency), workers = 32; efficiency = evaluations/s ÷ (32 ÷ the simulator's measured median latency).
/// <c>eval_in_process</c>: the runner's own overhead with a fake evaluator that awaits Task.Delay(10), stated against
/// the same number of bare delay chains measured in the same run (timers here are coarse).
/// </summary>
internal static class EvalBench
{
    private const int Workers = 32;
    private const double LatencyMs = 50;

    public static async Task RunAsync(bool quick)
    {
        await SimulatorCaseAsync(cases: 100, print: false); // warm-up: JIT, connection pool
        await SimulatorCaseAsync(cases: quick ? 300 : 1_000, print: true);

        int inProcess = quick ? 5_000 : 20_000;
        await InProcessCaseAsync(2_000, print: false);
        await InProcessCaseAsync(inProcess, print: true);
    }

    private static async Task SimulatorCaseAsync(int cases, bool print)
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = LatencyMs, Rules = Rules });
        // The judge goes through Sluice's whole throughput stack; its concurrency is fixed at the runner's workers so
        // that the bound below (workers ÷ latency) is the one being measured against.
        using var judge = OpenAICompatible.CreateChatClient(host.OpenAIEndpoint, "sk-bench", "gpt-4o-mini",
            new SluiceClientOptions { Concurrency = { MaxConcurrency = Workers }, Lanes = new ProviderLaneRegistry() });
        var runner = new BatchEvalRunner(
            new Dictionary<string, IEvaluator>
            {
                ["faithfulness"] = new FaithfulnessEvaluator(judge),
                ["relevancy"] = new RelevancyEvaluator(judge),
                ["correctness"] = new CorrectnessEvaluator(judge),
            },
            Workers);
        var queries = Enumerable.Range(0, cases).Select(i => $"Question {i}?").ToList();
        var responses = Enumerable.Range(0, cases).Select(i => $"Answer {i}.").ToList();
        var contexts = Enumerable.Range(0, cases).Select(i => (IReadOnlyList<string>)[$"Passage {i}."]).ToList();

        var started = Stopwatch.GetTimestamp();
        var results = await runner.EvaluateResponseStringsAsync(queries, responses, contexts);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (!print)
        {
            return;
        }

        var stats = host.GetStats();
        var evaluations = results.Values.Sum(l => l.Count);
        var throughput = evaluations / seconds;
        var bound = Workers / (stats.Latency.P50Ms / 1000);
        BenchResult.Print(new
        {
            Case = "eval_simulator",
            Cases = cases,
            Evaluators = results.Count,
            Evaluations = evaluations,
            Invalid = results.Values.Sum(l => l.Count(o => o.InvalidResult)),
            Workers,
            LatencyMs,
            MedianLatencyMs = Math.Round(stats.Latency.P50Ms, 2),
            Seconds = Math.Round(seconds, 3),
            Throughput = Math.Round(throughput, 1),
            Bound = Math.Round(bound, 1),
            Efficiency = Math.Round(throughput / bound, 3),
            PeakInFlight = stats.PeakInFlight,
        });
    }

    private static async Task InProcessCaseAsync(int evaluations, bool print)
    {
        const int workers = 64;
        var delay = TimeSpan.FromMilliseconds(10);
        var bareStarted = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            for (var i = w; i < evaluations; i += workers)
            {
                await Task.Delay(delay);
            }
        }));
        var bareThroughput = evaluations / Stopwatch.GetElapsedTime(bareStarted).TotalSeconds;

        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator> { ["delay"] = new DelayEvaluator(delay) }, workers);
        var items = Enumerable.Range(0, evaluations).Select(i => $"q{i}").ToList();
        var started = Stopwatch.GetTimestamp();
        await runner.EvaluateResponseStringsAsync(items, items);
        var throughput = evaluations / Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (print)
        {
            BenchResult.Print(new
            {
                Case = "eval_in_process",
                Evaluations = evaluations,
                Workers = workers,
                DelayMs = delay.TotalMilliseconds,
                Throughput = Math.Round(throughput, 1),
                BareDelayThroughput = Math.Round(bareThroughput, 1),
                EfficiencyVsNominal = Math.Round(throughput / (workers / delay.TotalSeconds), 3),
                EfficiencyVsBareDelays = Math.Round(throughput / bareThroughput, 3),
            });
        }
    }

    private static IReadOnlyList<ScriptedReply> Rules { get; } =
    [
        new(@"^Decide whether the information below", "YES\nSupported."),
        new(@"^Decide whether the response to the query", "YES\nRelevant."),
        new(@"^## User query", "4\nCorrect."),
    ];

    private sealed class DelayEvaluator(TimeSpan delay) : IEvaluator
    {
        public IReadOnlyCollection<string> EvaluationMetricNames { get; } = ["Delay"];

        public async ValueTask<EvaluationResult> EvaluateAsync(
            IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
            IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken);
            return new EvaluationResult(new NumericMetric("Delay", 1));
        }
    }
}
