using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sluice.Rag;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice ingest</c> and <c>sluice query</c> as child processes on the sample corpus (samples/rag), with the
/// local model; answers synthesized through the simulator.</summary>
public sealed class IngestQueryTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "samples", "rag", "corpus");
    private static readonly string QuestionsFile = Path.Combine(AppContext.BaseDirectory, "samples", "rag", "qa.jsonl");

    [Fact]
    public async Task Re_ingesting_an_unchanged_corpus_makes_no_embedding_calls_and_prune_removes_a_deleted_file()
    {
        string dir = Files.TempDirectory();
        string corpus = CopyCorpus(dir);

        var first = await Ingest(dir, corpus, "--json");
        Assert.True(first.Code == 0, first.Explain);
        Assert.Equal(60, first.Summary.GetProperty("documents_written").GetInt64());
        Assert.True(first.Summary.GetProperty("embedding_calls").GetInt64() > 0);
        Assert.Equal(0, first.Summary.GetProperty("errors").GetArrayLength());

        var again = await Ingest(dir, corpus, "--json");
        Assert.True(again.Code == 0, again.Explain);
        Assert.Equal(0, again.Summary.GetProperty("embedding_calls").GetInt64());
        Assert.Equal(60, again.Summary.GetProperty("documents_unchanged").GetInt64());
        Assert.Equal(first.Summary.GetProperty("index_records").GetInt64(), again.Summary.GetProperty("index_records").GetInt64());

        File.Delete(Path.Combine(corpus, "history-founding.md"));
        var pruned = await Ingest(dir, corpus, "--prune", "--json");
        Assert.True(pruned.Code == 0, pruned.Explain);
        Assert.Equal(1, pruned.Summary.GetProperty("documents_pruned").GetInt64());
        Assert.Equal(0, pruned.Summary.GetProperty("embedding_calls").GetInt64());
        using var index = VectorIndex.Open(Path.Combine(dir, "index.db"));
        var documents = index.KeysWithMetadata().Select(k => k.Value[IngestionPipeline.DocumentIdField]).ToHashSet();
        Assert.Equal(59, documents.Count);
        Assert.DoesNotContain("history-founding.md", documents);
        Assert.Equal(pruned.Summary.GetProperty("index_records").GetInt64(), index.Count);
    }

    [Fact]
    public async Task Unreadable_files_are_listed_with_path_and_reason_the_rest_is_ingested_and_the_exit_code_is_3()
    {
        string dir = Files.TempDirectory();
        string corpus = CopyCorpus(dir);
        File.WriteAllBytes(Path.Combine(corpus, "zz-corrupt.pdf"), Encoding.ASCII.GetBytes("%PDF-1.7\nthis is not a PDF body at all\n"));
        File.WriteAllBytes(Path.Combine(corpus, "zz-latin1.txt"), [0x57, 0x61, 0x73, 0x73, 0x65, 0x72, 0x20, 0xFC, 0x62, 0x65, 0x72]);

        var json = await Ingest(dir, corpus, "--json");
        Assert.True(json.Code == 3, json.Explain);
        var errors = json.Summary.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("source").GetString()!, e => e.GetProperty("reason").GetString()!);
        Assert.Equal(new[] { "zz-corrupt.pdf", "zz-latin1.txt" }, errors.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("UTF-8", errors["zz-latin1.txt"], StringComparison.Ordinal);
        Assert.Equal(60, json.Summary.GetProperty("documents_written").GetInt64());

        var human = await Cli.RunAsync(dir, null, "ingest", corpus, "--index", "index.db");
        Assert.Equal(3, human.ExitCode);
        Assert.Contains("  zz-corrupt.pdf (read): ", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("  zz-latin1.txt (read): ", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 embedding calls", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_finds_the_relevant_documents_one_question_and_a_batched_file_in_order()
    {
        string dir = Files.TempDirectory();
        var built = await Ingest(dir, Corpus, "--json");
        Assert.True(built.Code == 0, built.Explain);
        var cases = Runs.Lines(QuestionsFile).Take(24).ToList();

        var one = await Cli.RunAsync(dir, null, "query", cases[0].GetProperty("query").GetString()!, "--index", "index.db", "--json");
        Assert.True(one.ExitCode == 0, Runs.Explain(one));
        var answer = JsonDocument.Parse(one.Stdout).RootElement;
        Assert.False(answer.GetProperty("generated").GetBoolean());
        Assert.Equal(4, answer.GetProperty("sources").GetArrayLength());
        Assert.Contains(FileOf(cases[0].GetProperty("relevant_ids")[0].GetString()!), SourcesOf(answer));

        string questions = Path.Combine(dir, "questions.txt");
        File.WriteAllLines(questions, cases.Select(c => c.GetProperty("query").GetString()!));
        var many = await Cli.RunAsync(dir, null, "query", "--file", questions, "--index", "index.db", "--json", "-k", "3");
        Assert.True(many.ExitCode == 0, Runs.Explain(many));
        var answers = many.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(cases.Select(c => c.GetProperty("query").GetString()), answers.Select(a => a.GetProperty("query").GetString()));
        int hits = cases.Zip(answers).Count(p => p.First.GetProperty("relevant_ids").EnumerateArray().Any(id => SourcesOf(p.Second).Contains(FileOf(id.GetString()!))));
        Assert.True(hits >= 20, $"{hits} of {cases.Count} questions found a relevant document in the top 3");
        Assert.All(answers, a => Assert.True(a.GetProperty("sources")[0].GetProperty("score").GetDouble() >= a.GetProperty("sources")[1].GetProperty("score").GetDouble()));

        var human = await Cli.RunAsync(dir, null, "query", cases[0].GetProperty("query").GetString()!, "--index", "index.db");
        Assert.True(human.ExitCode == 0, Runs.Explain(human));
        Assert.Contains("Sources:", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("  1. 0.", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_chat_model_each_mode_synthesizes_an_answer_through_the_simulator_and_the_key_is_written_nowhere()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5 });
        string dir = Files.TempDirectory();
        var built = await Ingest(dir, Corpus, "--json");
        Assert.True(built.Code == 0, built.Explain);
        string question = Runs.Lines(QuestionsFile)[3].GetProperty("query").GetString()!;

        foreach (string mode in new[] { "compact", "refine", "tree", "accumulate" })
        {
            long before = simulator.GetStats().Requests;
            var run = await Cli.RunAsync(dir, Runs.Key, "query", question, "--index", "index.db", "--json", "--mode", mode,
                "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "gpt-4o-mini", "--api-key-env", Runs.KeyVariable);
            Assert.True(run.ExitCode == 0, mode + ": " + Runs.Explain(run));
            var answer = JsonDocument.Parse(run.Stdout).RootElement;
            Assert.True(answer.GetProperty("generated").GetBoolean(), mode);
            Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("answer").GetString()), mode);
            Assert.Equal(4, answer.GetProperty("sources").GetArrayLength());
            Assert.True(simulator.GetStats().Requests > before, $"{mode} sent chat requests");
            EmbedTests.AssertKeyWrittenNowhere(dir, run);
        }

        var noKey = await Cli.RunAsync(dir, null, "query", question, "--index", "index.db",
            "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "gpt-4o-mini", "--api-key-env", "SLUICE_UNSET_VARIABLE");
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("SLUICE_UNSET_VARIABLE is not set", noKey.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_exits_2_naming_the_argument_file_and_line()
    {
        string dir = Files.TempDirectory();
        File.WriteAllLines(Path.Combine(dir, "urls.txt"), ["# pages", "http://127.0.0.1:1/a", "not a url"]);

        var urls = await Cli.RunAsync(dir, null, "ingest", "urls.txt", "--index", "index.db");
        var missing = await Cli.RunAsync(dir, null, "ingest", "no-such-dir", "--index", "index.db");
        var noIndex = await Cli.RunAsync(dir, null, "query", "anything", "--index", "none.db");
        var mode = await Cli.RunAsync(dir, null, "query", "anything", "--index", "none.db", "--mode", "tree");

        Assert.Equal(2, urls.ExitCode);
        Assert.Contains("urls.txt, line 3: 'not a url' is not an absolute http or https URL", urls.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no-such-dir", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noIndex.ExitCode);
        Assert.Contains("--index: no such index file", noIndex.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, mode.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, "index.db")), "nothing was created");
    }

    [Fact]
    public async Task A_url_list_is_fetched_and_ingested_and_a_failed_page_is_listed_with_its_url()
    {
        using var listener = new HttpListener();
        int port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }

                string path = context.Request.Url!.AbsolutePath;
                byte[] body = path switch
                {
                    "/tides.html" => Encoding.UTF8.GetBytes("<html><head><title>Tides</title></head><body><p>Tides rise twice a day because of the moon.</p></body></html>"),
                    "/pumps.txt" => Encoding.UTF8.GetBytes("Pump station 4 lifts water to the hill district."),
                    _ => [],
                };
                context.Response.StatusCode = body.Length > 0 ? 200 : 404;
                context.Response.ContentType = path.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });

        string dir = Files.TempDirectory();
        string root = $"http://127.0.0.1:{port}/";
        File.WriteAllLines(Path.Combine(dir, "urls.txt"), [root + "tides.html", "", root + "pumps.txt", root + "missing.html"]);
        var run = await Ingest(dir, "urls.txt", "--json");
        listener.Stop();
        await serving;

        Assert.True(run.Code == 3, run.Explain);
        Assert.Equal(2, run.Summary.GetProperty("documents_written").GetInt64());
        var error = Assert.Single(run.Summary.GetProperty("errors").EnumerateArray());
        Assert.Equal(root + "missing.html", error.GetProperty("source").GetString());
        Assert.Contains("404", error.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var query = await Cli.RunAsync(dir, null, "query", "Why are there tides?", "--index", "index.db", "--json", "-k", "1");
        Assert.True(query.ExitCode == 0, Runs.Explain(query));
        var top = JsonDocument.Parse(query.Stdout).RootElement.GetProperty("sources")[0];
        Assert.Equal(root + "tides.html", top.GetProperty("document_id").GetString());
        Assert.Equal("Tides", top.GetProperty("title").GetString());
    }

    private static async Task<(int Code, JsonElement Summary, string Explain)> Ingest(string dir, string source, params string[] more)
    {
        var run = await Cli.RunAsync(dir, null, ["ingest", source, "--index", "index.db", .. more]);
        JsonElement summary = default;
        if (run.Stdout.TrimStart().StartsWith('{'))
        {
            summary = JsonDocument.Parse(run.Stdout).RootElement.Clone();
        }

        return (run.ExitCode, summary, Runs.Explain(run));
    }

    private static string CopyCorpus(string dir)
    {
        string target = Path.Combine(dir, "corpus");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(Corpus))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    /// <summary>qa.jsonl's relevant ids are corpus file names without their extension.</summary>
    private static string FileOf(string relevantId) =>
        Path.GetFileName(Directory.GetFiles(Corpus, relevantId + ".*").Single());

    private static HashSet<string> SourcesOf(JsonElement answer) =>
        answer.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("document_id").GetString()!).ToHashSet();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
