using System.Text.Json;
using Sluice.BatchFiles;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary>Files in OpenAI's published Batch API shape, and vLLM's, run unchanged; the results are in OpenAI's shape.</summary>
public sealed class FileShapeTests
{
    [Fact]
    public async Task OpenAI_published_chat_and_embeddings_files_run_and_the_results_have_OpenAIs_shape()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        // As in OpenAI's Batch API guide (one model per file; embeddings in a file of their own).
        string chat = Path.Combine(dir, "batchinput.jsonl");
        File.WriteAllText(chat,
            """
            {"custom_id": "request-1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-3.5-turbo-0125", "messages": [{"role": "system", "content": "You are a helpful assistant."},{"role": "user", "content": "Hello world!"}],"max_tokens": 1000}}
            {"custom_id": "request-2", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-3.5-turbo-0125", "messages": [{"role": "system", "content": "You are an unhelpful assistant."},{"role": "user", "content": "Hello world!"}],"max_tokens": 1000}}

            """);
        string embeddings = Path.Combine(dir, "embeddings.jsonl");
        File.WriteAllText(embeddings,
            """
            {"custom_id": "emb-1", "method": "POST", "url": "/v1/embeddings", "body": {"model": "text-embedding-3-small", "input": "The food was delicious and the waiter was friendly."}}
            {"custom_id": "emb-2", "method": "POST", "url": "/v1/embeddings", "body": {"model": "text-embedding-3-small", "input": ["First text to embed.", "Second text.", "Third."], "encoding_format": "float"}}

            """);

        var chatRun = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, chat, "chat-results.jsonl"));
        var embeddingRun = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, embeddings, "embedding-results.jsonl"));

        Assert.True(chatRun.ExitCode == 0, Runs.Explain(chatRun));
        Assert.True(embeddingRun.ExitCode == 0, Runs.Explain(embeddingRun));
        var chatResults = await ReadAsync(Path.Combine(dir, "chat-results.jsonl"));
        Assert.Equal(["request-1", "request-2"], chatResults.Keys.Order());
        Assert.All(chatResults.Values, body => Assert.Equal("chat.completion", body.GetProperty("object").GetString()));
        var embeddingResults = await ReadAsync(Path.Combine(dir, "embedding-results.jsonl"));
        Assert.Single(embeddingResults["emb-1"].GetProperty("data").EnumerateArray());
        Assert.Equal(3, embeddingResults["emb-2"].GetProperty("data").GetArrayLength());
        Assert.Equal(1536, embeddingResults["emb-2"].GetProperty("data")[2].GetProperty("embedding").GetArrayLength());
        var stats = simulator.GetStats();
        Assert.Equal(2, stats.ByEndpoint["chat"]["200"]);
        Assert.Equal(2, stats.ByEndpoint["embeddings"]["200"]);
        Assert.Empty(Files.CustomIds(Path.Combine(dir, "chat-results.errors.jsonl")));
    }

    [Fact]
    public async Task A_vLLM_style_file_without_method_and_with_urls_without_v1_runs()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        string dir = Files.TempDirectory();
        string input = Path.Combine(dir, "vllm.jsonl");
        File.WriteAllLines(input, Enumerable.Range(0, 20).Select(i =>
            $$$"""{"custom_id": "vllm-{{{i}}}", "url": "/chat/completions", "body": {"model": "meta-llama/Meta-Llama-3-8B-Instruct", "messages": [{"role": "user", "content": "Tell me about {{{i}}}"}], "max_completion_tokens": 20}}"""));

        var run = await Cli.RunAsync(dir, Runs.Key, Runs.Arguments(simulator, input, "results.jsonl"));

        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        var results = await ReadAsync(Path.Combine(dir, "results.jsonl"));
        Assert.Equal(20, results.Count);
        Assert.Equal(20, simulator.GetStats().ByEndpoint["chat"]["200"]);
    }

    /// <summary>Reads an output file with <see cref="BatchOutputReader"/> and checks every line against OpenAI's shape;
    /// returns each response body by custom_id.</summary>
    private static async Task<Dictionary<string, JsonElement>> ReadAsync(string path)
    {
        var bodies = new Dictionary<string, JsonElement>();
        await foreach (var result in BatchOutputReader.ReadAsync(path))
        {
            Assert.True(result.Succeeded);
            Assert.StartsWith("batch_req_", result.Id);
            Assert.Equal(200, result.Response!.StatusCode);
            Assert.Null(result.Error);
            bodies.Add(result.CustomId, JsonDocument.Parse(result.Response.Body).RootElement.Clone());
        }

        foreach (var line in Runs.Lines(path))
        {
            Assert.Equal(["custom_id", "error", "id", "response"], line.EnumerateObject().Select(p => p.Name).Order());
            Assert.StartsWith("batch_req_", line.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
            var response = line.GetProperty("response");
            Assert.Equal(200, response.GetProperty("status_code").GetInt32());
            Assert.Equal(JsonValueKind.String, response.GetProperty("request_id").ValueKind); // OpenAI's readers expect a string
            Assert.False(string.IsNullOrEmpty(response.GetProperty("request_id").GetString()));
            Assert.Equal(JsonValueKind.Object, response.GetProperty("body").ValueKind);
        }

        return bodies;
    }
}
