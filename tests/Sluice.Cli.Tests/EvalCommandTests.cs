using System.Text.Json;
using Sluice.Evaluation.Runs;
using Sluice.LocalEmbeddings;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice eval</c> as a real child process: without a model (the local one only), with the simulator as
/// judge killed and resumed, a bad dataset line, a changed dataset on resume, and no key in the run directory.</summary>
public sealed class EvalCommandTests
{
    private static readonly string[] LocalEvaluators = ["hit_rate", "mrr", "semantic_similarity", "token_f1", "rouge_l", "bleu"];
    private static readonly string[] Judges = ["faithfulness", "relevancy", "correctness"];

    /// <summary>Judge replies by the first words of each judge's prompt (as tests/Sluice.Evaluation.Tests' JudgeScript).</summary>
    private static readonly ScriptedReply[] JudgeRules =
    [
        new(@"^Decide whether the information below", "YES\nThe context supports the information."),
        new(@"^Decide whether the response to the query", "YES\nThe response answers the query."),
        new(@"^## User query", "4\nMostly right."),
    ];

    [Fact]
    public async Task Without_a_model_it_runs_the_local_evaluators_prints_the_table_and_skip_reasons_and_writes_the_run_directory()
    {
        string dir = Files.TempDirectory();
        string index = await SmallIndexAsync(dir);
        string dataset = Write(dir, "qa.jsonl",
            """{"id": "a1", "query": "When do the harbor ferries run in winter?", "reference": "Every 40 minutes from 6 am to 10 pm.", "relevant_ids": ["ferries"], "response": "In winter the ferries run every 40 minutes from 6 am to 10 pm."}""",
            """{"id": "a2", "query": "How many hives does the rooftop apiary keep?", "reference": "Twelve hives.", "relevant_ids": ["bees"], "response": "The apiary keeps twelve hives on the library roof."}""",
            "",
            """{"id": "a3", "query": "What is the library's late fee?", "reference": "There is no late fee since 2021.", "relevant_ids": ["library"], "response": "Late fees were abolished in 2021."}""",
            """{"id": "a4", "query": "Which day is the bee open house?", "reference": "The first Saturday of June.", "relevant_ids": ["bees"]}""");
        string run = Path.Combine(dir, "run");

        var result = await Cli.RunAsync(dir, null, "eval", "--dataset", dataset, "--index", index, "-o", run);

        Assert.True(result.ExitCode == 0, Runs.Explain(result));
        foreach (string name in LocalEvaluators)
        {
            Assert.Matches($@"(?m)^  {name} +[0-9.]+ ", result.Stdout);
        }

        foreach (string name in new[] { "faithfulness", "relevancy", "correctness", "answer_relevancy", "context_relevancy" })
        {
            Assert.Contains($"skipped: {name}: no chat model is configured as judge", result.Stdout);
        }

        Assert.Contains($"report: sluice report {run}", result.Stdout);
        foreach (string file in new[] { "summary.json", "results.jsonl", "results.csv", "journal.jsonl", "manifest.json" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        }

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("eval", root.GetProperty("kind").GetString());
        Assert.Equal(dataset, root.GetProperty("dataset").GetString());
        Assert.Equal(index, root.GetProperty("index").GetString());
        Assert.Equal(4, root.GetProperty("cases").GetInt32());
        Assert.True(root.GetProperty("elapsed_seconds").GetDouble() > 0);
        Assert.Equal(LocalEvaluators, root.GetProperty("evaluators").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(5, root.GetProperty("skipped").GetArrayLength());
        Assert.All(root.GetProperty("skipped").EnumerateArray(), s => Assert.False(string.IsNullOrEmpty(s.GetProperty("reason").GetString())));
        var metrics = root.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("evaluator").GetString()!);
        Assert.Equal(LocalEvaluators.Order(), metrics.Keys.Order());
        Assert.Equal(1.0, metrics["hit_rate"].GetProperty("mean").GetDouble()); // each query names its document's subject
        Assert.Equal(4, metrics["hit_rate"].GetProperty("n").GetInt32());
        Assert.Equal(0, metrics["hit_rate"].GetProperty("invalid").GetInt32());
        Assert.True(metrics["hit_rate"].TryGetProperty("ci_low", out _) && metrics["hit_rate"].TryGetProperty("ci_high", out _));
        // a4 has no response and no model generates one: the response evaluators count it invalid, retrieval scores it.
        Assert.Equal(3, metrics["token_f1"].GetProperty("n").GetInt32());
        Assert.Equal(1, metrics["token_f1"].GetProperty("invalid").GetInt32());

        var records = Runs.Lines(Path.Combine(run, "results.jsonl"));
        Assert.Equal(4 * LocalEvaluators.Length, records.Count);
        Assert.Equal(4 * LocalEvaluators.Length, records.Select(r => (r.GetProperty("case_id").GetString(), r.GetProperty("evaluator").GetString())).Distinct().Count());
        var a4 = records.Single(r => r.GetProperty("case_id").GetString() == "a4" && r.GetProperty("evaluator").GetString() == "bleu");
        Assert.Equal(5, a4.GetProperty("line").GetInt32()); // line 3 is blank: lines are the file's
        Assert.True(a4.GetProperty("invalid_result").GetBoolean());
        Assert.Contains("no \"response\"", a4.GetProperty("invalid_reason").GetString());
        string[] csv = File.ReadAllLines(Path.Combine(run, "results.csv"));
        Assert.EndsWith(",case_id,line", csv[0]);
        Assert.Equal(1 + records.Count, csv.Length);
    }

    [Fact]
    public async Task Killed_and_resumed_with_a_judge_it_asks_nothing_it_journalled_and_every_outcome_is_in_the_results_once()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 150, Rules = JudgeRules });
        string dir = Files.TempDirectory();
        const int Cases = 30;
        string dataset = Write(dir, "qa.jsonl", [.. Enumerable.Range(1, Cases).Select(i =>
            $$"""{"id": "c{{i}}", "query": "What is fact {{i}}?", "reference": "Fact {{i}} is {{i * 7}}.", "response": "Fact {{i}} is {{i * 7}}.", "contexts": ["The record says fact {{i}} is {{i * 7}}."]}""")]);
        string run = Path.Combine(dir, "run");
        string[] arguments =
        [
            "eval", "--dataset", dataset, "--evaluators", string.Join(',', Judges), "--workers", "4", "-o", run,
            "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "gpt-4o-mini", "--api-key-env", Runs.KeyVariable,
        ];
        string journal = Path.Combine(run, "journal.jsonl");

        using (var first = Cli.Start(dir, Runs.Key, arguments))
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (Files.JournalLines(journal) < 20 && !first.HasExited)
            {
                await Task.Delay(20, patience.Token);
            }

            Assert.False(first.HasExited, $"the eval ended before it was killed\n{first.Stdout}\n{first.Stderr}");
            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(30));
        }

        int journalled = JournalledOutcomes(journal).Count;
        Assert.InRange(journalled, 20, (Cases * Judges.Length) - 1);
        await simulator.ResetWhenIdleAsync(); // the calls in flight at the kill finish and are counted before the reset

        var resumed = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume"]);

        Assert.True(resumed.ExitCode == 0, Runs.Explain(resumed));
        var stats = await simulator.GetStatsWhenIdleAsync();
        Assert.Equal((Cases * Judges.Length) - journalled, stats.Requests); // one call per outcome not journalled, none for the rest
        Assert.Equal(0, stats.DuplicateBodies);
        var records = Runs.Lines(Path.Combine(run, "results.jsonl"));
        Assert.Equal(Cases * Judges.Length, records.Count);
        Assert.Equal(Cases * Judges.Length, records.Select(r => (r.GetProperty("case_id").GetString(), r.GetProperty("evaluator").GetString())).Distinct().Count());
        Assert.All(records, r => Assert.False(r.GetProperty("invalid_result").GetBoolean(), r.GetProperty("invalid_reason").GetString()));
        Assert.All(records.Where(r => r.GetProperty("evaluator").GetString() == "correctness"), r => Assert.Equal(4.0, r.GetProperty("score").GetDouble()));
        Assert.Contains("journalled by the earlier run", resumed.Stdout);
        AssertNoKey(run);
    }

    [Theory]
    [InlineData("""{"id": "x2", "query": "Two?" """, "not valid JSON")]
    [InlineData("""{"id": "x2", "reference": "no query here"}""", "missing \"query\"")]
    [InlineData("""{"id": "x1", "query": "Again?"}""", "already used on line 1")]
    [InlineData("""{"id": "x2", "query": "Two?", "relevant_ids": "doc"}""", "\"relevant_ids\" must be an array of strings")]
    public async Task A_bad_dataset_line_is_named_by_file_and_line_and_exits_2_with_nothing_evaluated(string badLine, string problem)
    {
        string dir = Files.TempDirectory();
        string dataset = Write(dir, "qa.jsonl", """{"id": "x1", "query": "One?", "reference": "1", "response": "1"}""", badLine, """{"id": "x3", "query": "Three?", "reference": "3", "response": "3"}""");
        string run = Path.Combine(dir, "run");

        var result = await Cli.RunAsync(dir, null, "eval", "--dataset", dataset, "--evaluators", "token_f1", "-o", run);

        Assert.True(result.ExitCode == 2, Runs.Explain(result));
        Assert.Contains($"{dataset}:2: ", result.Stderr);
        Assert.Contains(problem, result.Stderr);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task An_index_that_is_not_one_and_a_mode_without_a_model_are_named_and_exit_2()
    {
        string dir = Files.TempDirectory();
        string dataset = Write(dir, "qa.jsonl", """{"id": "x1", "query": "One?", "reference": "1", "response": "1"}""");
        string fake = Write(dir, "fake.db", "this is not a database, just text long enough to be read as a header");

        var notIndex = await Cli.RunAsync(dir, null, "eval", "--dataset", dataset, "--index", fake, "-o", Path.Combine(dir, "run1"));
        Assert.True(notIndex.ExitCode == 2, Runs.Explain(notIndex));
        Assert.Contains($"--index: cannot open {fake}", notIndex.Stderr);
        Assert.DoesNotContain("Unhandled exception", notIndex.Stderr);

        var mode = await Cli.RunAsync(dir, null, "eval", "--dataset", dataset, "--evaluators", "token_f1", "--mode", "tree", "-o", Path.Combine(dir, "run2"));
        Assert.True(mode.ExitCode == 2, Runs.Explain(mode));
        Assert.Contains("--mode needs a chat model", mode.Stderr);
    }

    [Fact]
    public async Task A_judge_that_never_answers_leaves_its_evaluators_without_a_valid_outcome_and_exits_3()
    {
        string dir = Files.TempDirectory();
        string dataset = Write(dir, "qa.jsonl",
            """{"id": "x1", "query": "One?", "reference": "1", "response": "1", "contexts": ["one is 1"]}""",
            """{"id": "x2", "query": "Two?", "reference": "2", "response": "2", "contexts": ["two is 2"]}""");

        // Port 1 on 127.0.0.1: nothing listens, every call is refused at once.
        var result = await Cli.RunAsync(dir, null, "eval", "--dataset", dataset, "--evaluators", "token_f1,faithfulness",
            "--base-url", "http://127.0.0.1:1/v1", "--model", "judge", "--no-api-key", "-o", Path.Combine(dir, "run"));

        Assert.True(result.ExitCode == 3, Runs.Explain(result));
        Assert.Contains("no valid outcome for faithfulness", result.Stderr);
        Assert.DoesNotContain("token_f1", result.Stderr[result.Stderr.IndexOf("no valid outcome", StringComparison.Ordinal)..].Split('\n')[0]);
    }

    [Fact]
    public async Task A_resume_after_the_dataset_changed_is_refused_saying_so_and_a_rerun_without_resume_too()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Rules = JudgeRules });
        string dir = Files.TempDirectory();
        string dataset = Write(dir, "qa.jsonl", """{"id": "y1", "query": "One?", "reference": "1", "response": "1", "contexts": ["one"]}""");
        string run = Path.Combine(dir, "run");
        string[] arguments =
        [
            "eval", "--dataset", dataset, "--evaluators", "token_f1,faithfulness", "-o", run,
            "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "gpt-4o-mini", "--api-key-env", Runs.KeyVariable,
        ];
        var first = await Cli.RunAsync(dir, Runs.Key, arguments);
        Assert.True(first.ExitCode == 0, Runs.Explain(first));
        AssertNoKey(run);
        await simulator.ResetWhenIdleAsync();

        var again = await Cli.RunAsync(dir, Runs.Key, arguments);
        Assert.True(again.ExitCode == 2, Runs.Explain(again));
        Assert.Contains("--resume", again.Stderr);

        File.AppendAllText(dataset, """{"id": "y2", "query": "Two?", "reference": "2", "response": "2", "contexts": ["two"]}""" + "\n");
        var changed = await Cli.RunAsync(dir, Runs.Key, [.. arguments, "--resume"]);
        Assert.True(changed.ExitCode == 2, Runs.Explain(changed));
        Assert.Contains("the input file changed", changed.Stderr);

        var otherModel = await Cli.RunAsync(dir, Runs.Key, [.. arguments[..^4], "--model", "gpt-4o", "--api-key-env", Runs.KeyVariable, "--resume"]);
        Assert.True(otherModel.ExitCode == 2, Runs.Explain(otherModel));
        Assert.Contains("model was \"gpt-4o-mini\", now \"gpt-4o\"", otherModel.Stderr);
        Assert.Equal(0, (await simulator.GetStatsWhenIdleAsync()).Requests);
    }

    /// <summary>Three small documents ingested with the local model, as sluice ingest would.</summary>
    private static async Task<string> SmallIndexAsync(string dir)
    {
        string corpus = Path.Combine(dir, "sample", "corpus");
        Directory.CreateDirectory(corpus);
        File.WriteAllText(Path.Combine(corpus, "ferries.md"), "# Harbor ferries\n\nIn winter the harbor ferries run every 40 minutes from 6 am to 10 pm. In summer they run every 20 minutes.");
        File.WriteAllText(Path.Combine(corpus, "bees.txt"), "The rooftop apiary on the library keeps twelve hives of bees. The bee open house is held on the first Saturday of June.");
        File.WriteAllText(Path.Combine(corpus, "library.md"), "# Library fees\n\nThe public library abolished late fees for overdue books in 2021. Lost books are still charged.");
        string index = Path.Combine(dir, "index.db");
        using var generator = new LocalEmbeddingGenerator();
        var report = await SampleEvaluation.IngestAsync(Path.Combine(dir, "sample"), index, generator);
        Assert.True(report.Succeeded);
        return index;
    }

    private static string Write(string dir, string name, params string[] lines)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    /// <summary>The distinct outcome ids (<c>evaluator/case</c>) of complete journal lines; a torn last line is not journalled.</summary>
    private static HashSet<string> JournalledOutcomes(string journal)
    {
        string text = File.ReadAllText(journal);
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!)
            .Where(id => !id.StartsWith("answer/", StringComparison.Ordinal))];
    }

    private static void AssertNoKey(string run)
    {
        string key = Runs.Key[Runs.KeyVariable];
        foreach (string file in Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(key, File.ReadAllText(file));
        }
    }
}
