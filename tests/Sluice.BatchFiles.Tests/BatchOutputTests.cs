using System.Text;
using System.Text.Json.Nodes;

namespace Sluice.BatchFiles.Tests;

public sealed class BatchOutputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("openai-output.jsonl")]
    [InlineData("openai-errors.jsonl")]
    public async Task Round_trips_OpenAIs_published_shape(string sample)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Samples", sample);
        var results = await BatchInputReaderTests.ToListAsync(BatchOutputReader.ReadAsync(source));
        string copy = _dir.File(sample);
        await using (var output = BatchOutputFile.Create(copy))
        {
            foreach (var result in results)
            {
                await output.WriteAsync(result);
            }

            await output.CommitAsync();
        }

        string[] expected = File.ReadAllLines(source);
        string[] actual = File.ReadAllLines(copy);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i]), JsonNode.Parse(actual[i])), $"line {i + 1}:\n{expected[i]}\n{actual[i]}");
        }
    }

    [Fact]
    public async Task Reads_successes_and_both_kinds_of_failure()
    {
        var ok = await BatchInputReaderTests.ToListAsync(BatchOutputReader.ReadAsync(Path.Combine(AppContext.BaseDirectory, "Samples", "openai-output.jsonl")));
        var failed = await BatchInputReaderTests.ToListAsync(BatchOutputReader.ReadAsync(Path.Combine(AppContext.BaseDirectory, "Samples", "openai-errors.jsonl")));
        Assert.All(ok, r => Assert.True(r.Succeeded));
        Assert.Equal("req_123", ok[0].Response!.RequestId);
        Assert.Equal(400, failed[0].Response!.StatusCode);
        Assert.False(failed[0].Succeeded);
        Assert.Contains("integer_below_min_value", Encoding.UTF8.GetString(failed[0].Response!.Body.Span));
        Assert.Null(failed[1].Response);
        Assert.Equal("batch_expired", failed[1].Error!.Code);
    }

    [Fact]
    public void Writes_lines_in_OpenAIs_shape()
    {
        var success = BatchResult.FromResponse("a", new BatchResponse(200, "req_1", """{"id":"x","object":"chat.completion"}"""u8.ToArray()), id: "batch_req_1");
        Assert.Equal("""{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":"req_1","body":{"id":"x","object":"chat.completion"}},"error":null}""", Encoding.UTF8.GetString(success.ToJsonLine()));

        var timeout = BatchResult.FromError("b", new BatchResultError(BatchErrorCodes.RequestTimeout, "Every attempt timed out (3 attempts of 30 s)."), id: "batch_req_2");
        Assert.Equal("""{"id":"batch_req_2","custom_id":"b","response":null,"error":{"code":"request_timeout","message":"Every attempt timed out (3 attempts of 30 s)."}}""", Encoding.UTF8.GetString(timeout.ToJsonLine()));
        Assert.False(timeout.Succeeded);

        var html = BatchResult.FromResponse("c", new BatchResponse(502, null, "<html>Bad gateway</html>"u8.ToArray()), id: "batch_req_3");
        var node = JsonNode.Parse(html.ToJsonLine())!;
        Assert.Equal("<html>Bad gateway</html>", node["response"]!["body"]!.GetValue<string>());
        Assert.Equal(502, node["response"]!["status_code"]!.GetValue<int>());
    }

    [Fact]
    public void New_ids_look_like_OpenAIs()
    {
        string id = BatchResult.NewId();
        Assert.Matches("^batch_req_[0-9a-f]{32}$", id);
        Assert.NotEqual(id, BatchResult.NewId());
    }

    [Fact]
    public async Task The_file_appears_only_when_committed()
    {
        string path = _dir.File("out.jsonl");
        await using (var output = BatchOutputFile.Create(path))
        {
            await output.WriteAsync(BatchResult.FromError("a", new BatchResultError(BatchErrorCodes.BatchCancelled, "Cancelled.")));
            Assert.False(File.Exists(path));
            Assert.True(File.Exists(output.TemporaryPath));
            await output.CommitAsync();
        }

        Assert.Single(File.ReadAllLines(path));
        await using (var abandoned = BatchOutputFile.Create(_dir.File("other.jsonl")))
        {
            await abandoned.WriteAsync(BatchResult.FromError("a", new BatchResultError(BatchErrorCodes.BatchCancelled, "Cancelled.")));
        }

        Assert.Equal(["out.jsonl"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_malformed_output_line_names_file_and_line()
    {
        string path = _dir.Write("out.jsonl", """{"id":"x","custom_id":"a","response":null,"error":{"code":"c","message":"m"}}""" + "\n{\"id\":\"y\"}\n");
        var exception = await Assert.ThrowsAsync<BatchFileFormatException>(() => BatchInputReaderTests.ToListAsync(BatchOutputReader.ReadAsync(path)));
        Assert.Equal(2, exception.LineNumber);
        Assert.StartsWith(path + ", line 2: Missing 'custom_id'", exception.Message);
    }
}
