using System.Text;
using System.Text.Json;

namespace Sluice.BatchFiles.Tests;

public sealed class BatchInputReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Chat(string id, string model = "m1") =>
        $$$"""{"custom_id": "{{{id}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "{{{model}}}", "messages": [{"role": "user", "content": "hi {{{id}}}"}]}}""";

    [Fact]
    public async Task Reads_OpenAIs_published_sample()
    {
        var reader = new BatchInputReader(Path.Combine(AppContext.BaseDirectory, "Samples", "openai-input.jsonl"));
        var report = await reader.ValidateAsync();
        Assert.True(report.IsValid, string.Join("\n", report.Describe()));
        Assert.Equal(2, report.ValidCount);
        Assert.Equal(BatchEndpoint.ChatCompletions, report.Endpoint);
        Assert.Equal("gpt-3.5-turbo-0125", report.Model);
    }

    [Fact]
    public async Task Finds_duplicates_across_spilled_sort_runs_with_the_line_that_used_the_id_first()
    {
        // More ids than one sort run holds, so the duplicate check spills runs to disk and merges them.
        int count = (int)(Lines.DuplicateFinder.RunLength * 2.5);
        var text = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            text.Append(Chat($"id-{i}")).Append('\n');
        }

        text.Append(Chat("id-7")).Append('\n');          // line count + 1: first used on line 7 (first run)
        text.Append(Chat($"id-{count}")).Append('\n');   // line count + 2: first used on the last line (last run)
        string path = _dir.Write("many.jsonl", text.ToString());

        var report = await new BatchInputReader(path).ValidateAsync();

        Assert.Equal(count, report.ValidCount);
        Assert.Equal(
            [(count + 1L, "line 7"), (count + 2L, $"line {count}")],
            report.Errors.Select(e => (e.Line!.Value, e.Message.Contains("line 7:", StringComparison.Ordinal) ? "line 7" : $"line {count}")).ToArray());
        Assert.All(report.Errors, e => Assert.Equal("duplicate_custom_id", e.Code));
    }

    [Fact]
    public async Task Keeps_the_body_bytes_exactly_as_in_the_file()
    {
        const string body = """{ "model":"m1" ,"messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00 é"}], "temperature": 0.70 }""";
        string path = _dir.Write("in.jsonl", $$"""{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{{body}}}""" + "\n");
        var requests = await ToListAsync(new BatchInputReader(path).ReadRequestsAsync());
        var request = Assert.Single(requests);
        Assert.Equal(body, Encoding.UTF8.GetString(request.Body.Span));
        Assert.Equal("m1", request.Model);
        Assert.Equal("/v1/chat/completions", request.Url);
        Assert.Equal("POST", request.Method);
    }

    [Fact]
    public async Task Accepts_bom_crlf_blank_lines_and_a_last_line_without_line_end()
    {
        string path = _dir.Write("in.jsonl", "\uFEFF" + Chat("a") + "\r\n\r\n   \n" + Chat("b") + "\r\n" + Chat("c"));
        var lines = await ToListAsync(new BatchInputReader(path).ReadAsync());
        Assert.All(lines, line => Assert.True(line.IsValid));
        Assert.Equal([1L, 4L, 5L], lines.Select(line => line.LineNumber));
        Assert.Equal(["a", "b", "c"], lines.Select(line => line.CustomId));
        Assert.EndsWith("}", Encoding.UTF8.GetString(lines[1].Request!.Body.Span));
    }

    [Fact]
    public async Task Is_lenient_where_vllm_files_differ()
    {
        string path = _dir.Write("in.jsonl", string.Join("\n",
            """{"custom_id":"a","url":"/v1/embeddings","body":{"model":"e","input":"x"}}""",
            """{"custom_id":"b","method":"post","url":"/embeddings","body":{"model":"e","input":"y"}}""",
            """{"custom_id":"c","method":"POST","url":"v1/embeddings/","body":{"model":"e","input":"z"}}"""));
        var requests = await ToListAsync(new BatchInputReader(path).ReadRequestsAsync());
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal("/v1/embeddings", r.Url));
        Assert.All(requests, r => Assert.Equal(BatchEndpoint.Embeddings, r.Endpoint));
    }

    [Fact]
    public async Task Reports_every_kind_of_bad_line_with_line_param_and_code()
    {
        string path = _dir.Write("in.jsonl", string.Join("\n",
            Chat("a"),                                                                          // 1 ok
            """{"custom_id": "b", "url": "/v1/chat/completions", "body": {"model": "m1"}""",    // 2 torn JSON
            """{"url": "/v1/chat/completions", "body": {"model": "m1"}}""",                     // 3 no custom_id
            Chat("a"),                                                                          // 4 duplicate
            """{"custom_id": "e", "body": {"model": "m1"}}""",                                  // 5 no url
            """{"custom_id": "f", "url": "/v1/completions", "body": {"model": "m1"}}""",        // 6 unsupported url
            """{"custom_id": "g", "method": "GET", "url": "/v1/chat/completions", "body": {"model": "m1"}}""", // 7 method
            """{"custom_id": "h", "url": "/v1/chat/completions"}""",                            // 8 no body
            Chat("i", model: "m2"),                                                             // 9 model mismatch
            """{"custom_id": "j", "url": "/v1/embeddings", "body": {"model": "m1"}}""",         // 10 url mismatch
            """[1, 2]""",                                                                       // 11 not an object
            """{"custom_id": 7, "url": "/v1/chat/completions", "body": "text"}""",              // 12 custom_id and body types
            Chat("k")));                                                                        // 13 ok
        var report = await new BatchInputReader(path).ValidateAsync();

        Assert.False(report.IsValid);
        Assert.Equal(13, report.LineCount);
        Assert.Equal(2, report.ValidCount);
        var expected = new (long Line, string Code, string? Param)[]
        {
            (2, "invalid_json_line", null),
            (3, "missing_required_parameter", "custom_id"),
            (4, "duplicate_custom_id", "custom_id"),
            (5, "missing_required_parameter", "url"),
            (6, "invalid_url", "url"),
            (7, "invalid_method", "method"),
            (8, "missing_required_parameter", "body"),
            (9, "model_mismatch", "body.model"),
            (10, "url_mismatch", "url"),
            (11, "invalid_json_line", null),
            (12, "invalid_value", "custom_id"),
            (12, "invalid_value", "body"),
        };
        Assert.Equal(expected, report.Errors.Select(e => (e.Line!.Value, e.Code, e.Param)));
        Assert.Contains("already used on line 1", report.Errors[2].Message);
        Assert.Contains("expected \"/v1/chat/completions\" or \"/v1/embeddings\"", report.Errors[4].Message);
        Assert.All(report.Describe(), line => Assert.StartsWith(path + ", line ", line));
    }

    [Fact]
    public async Task Caps_the_reported_errors_but_counts_them_all()
    {
        string path = _dir.Write("in.jsonl", string.Join("\n", Enumerable.Range(0, 50).Select(_ => "nope")));
        var report = await new BatchInputReader(path, new BatchInputOptions { MaxReportedErrors = 10 }).ValidateAsync();
        Assert.Equal(10, report.Errors.Count);
        Assert.Equal(50, report.ErrorCount);
        Assert.True(report.IsTruncated);
        Assert.Contains("40 more errors not shown", report.Describe().Last());
    }

    [Fact]
    public async Task An_empty_file_is_invalid()
    {
        string path = _dir.Write("in.jsonl", "\n  \n");
        var report = await new BatchInputReader(path).ValidateAsync();
        Assert.Equal("empty_file", Assert.Single(report.Errors).Code);
        Assert.Null(report.Errors[0].Line);
    }

    [Fact]
    public async Task Writes_errors_in_OpenAIs_shape()
    {
        string path = _dir.Write("in.jsonl", Chat("a") + "\n{oops\n");
        var report = await new BatchInputReader(path).ValidateAsync();
        using var stream = new MemoryStream();
        await report.WriteErrorsAsync(stream);
        using var json = JsonDocument.Parse(stream.ToArray());
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        var error = Assert.Single(json.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("invalid_json_line", error.GetProperty("code").GetString());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.StartsWith("This line is not parseable as valid JSON", error.GetProperty("message").GetString());
    }

    [Fact]
    public void Rejects_a_non_positive_error_cap_naming_the_property()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchInputOptions { MaxReportedErrors = 0 });
        Assert.Equal("MaxReportedErrors", exception.ParamName);
    }

    [Fact]
    public async Task Reads_lines_longer_than_the_buffer()
    {
        string longText = new('x', 300_000);
        string path = _dir.Write("in.jsonl", Chat("a") + "\n" + Chat(longText[..10] + "b").Replace("hi ", "hi " + longText) + "\n" + Chat("c"));
        var requests = await ToListAsync(new BatchInputReader(path).ReadRequestsAsync());
        Assert.Equal(3, requests.Count);
        Assert.True(requests[1].Body.Length > 300_000);
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
