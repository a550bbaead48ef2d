using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.Evaluation;

namespace Sluice.Docs.Tests;

/// <summary>
/// The README's 30-second tour, compiled and run against the simulator. The lines between the <c>tour</c> markers are
/// the README's code block, character for character after the indentation (<see cref="TourTests"/> checks it).
/// What the tour leaves to the reader (a model call, where results go) is defined below the tour.
/// </summary>
internal sealed class Tour(Uri baseUrl, string apiKey)
{
    private readonly List<string> _saved = [];

    public IReadOnlyList<string> Saved => _saved;

    public List<string> Failures { get; } = [];

    public int GroupCount { get; private set; }

    public async Task<(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> Results, IReadOnlyList<string> Answers, string One)> RunAsync()
    {
        IChatClient model = OpenAICompatible.CreateChatClient(baseUrl, apiKey, "gpt-4o-mini");
        Task<string> CallModelAsync(string prompt, CancellationToken ct) => model.GetResponseAsync(prompt, cancellationToken: ct).ContinueWith(t => t.Result.Text, ct);
        string[] prompts = ["What is a sluice?", "Name a river.", "Say hello."];
        string[] queries = ["What is a sluice?"];
        string[] replies = ["A sluice is a water channel controlled by a gate."];
        string[][] passages = [["A sluice is a water channel controlled at its head by a movable gate."]];
        string[] texts = ["one", "two", "three"];
        IEnumerable<Func<CancellationToken, Task<string>>> jobs = prompts.Select(p => (Func<CancellationToken, Task<string>>)(ct => CallModelAsync(p, ct))).ToList();

        // <tour>
        // Stream any number of items through bounded, ordered, fault-tolerant work.
        await foreach (var r in Batch.ProcessAsync(prompts,
                           async (prompt, ct) => await CallModelAsync(prompt, ct),
                           new BatchOptions { MaxConcurrency = 64, Progress = new Progress<BatchProgress>(Print) }))
        {
            if (r.Succeeded) Save(r.Index, r.Value);
            else LogFailure(r.Index, r.Error);          // one failure never loses another item's result
        }

        // Any OpenAI-compatible endpoint, with retries, RPM/TPM budgets and adaptive concurrency built in.
        IChatClient chat = OpenAICompatible.CreateChatClient(baseUrl, apiKey, "gpt-4o-mini",
            new SluiceClientOptions { RateBudget = { RequestsPerMinute = 3_000, TokensPerMinute = 1_000_000 } });

        // LlamaIndex's BatchEvalRunner, on Microsoft.Extensions.AI.Evaluation evaluators; never loses completed work.
        var runner = new BatchEvalRunner(new Dictionary<string, IEvaluator>
        {
            ["faithfulness"] = new FaithfulnessEvaluator(chat),
            ["correctness"] = new CorrectnessEvaluator(chat),
        }, workers: 32);
        var results = await runner.EvaluateResponseStringsAsync(queries, replies, passages);

        // LlamaIndex parity.
        IReadOnlyList<string> answers = await Jobs.RunAsync(jobs, workers: 8);     // run_jobs
        IReadOnlyList<string> waves   = await Jobs.GatherAsync(jobs, waveSize: 10); // batch_gather
        string one = Jobs.Run(ct => CallModelAsync("hi", ct));                     // asyncio_run
        foreach (var group in Groups.ByWeight(texts, maxCount: 64, maxWeight: 8_000, CountTokens)) await EmbedAsync(group);
        // </tour>

        Assert.Equal(answers.Count, waves.Count);
        return (results, answers, one);
    }

    private Task EmbedAsync(IReadOnlyList<string> group)
    {
        GroupCount++;
        return Task.CompletedTask;
    }

    private static void Print(BatchProgress progress)
    {
    }

    private static long CountTokens(string text) => TokenEstimator.CountTokens(text);

    private void Save(long index, string? value)
    {
        lock (_saved)
        {
            _saved.Add($"{index}: {value}");
        }
    }

    private void LogFailure(long index, Exception? error)
    {
        lock (Failures)
        {
            Failures.Add($"{index}: {error?.Message}");
        }
    }
}
