using System.Net;
using System.Text;
using System.Text.Json;

namespace Sluice.Simulator.Tests;

public sealed class ParallelWebTests
{
    [Fact]
    public async Task Search_requires_an_api_key_and_returns_the_requested_number_of_results()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);
        const string body = """{"objective":"find sluice gates","search_queries":["sluice gate"],"max_results":3}""";

        var unauthorized = await Http.PostAsync(client, "/v1beta/search", body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1beta/search") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", "test-key");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("search_", root.GetProperty("search_id").GetString());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        foreach (var r in results)
        {
            Assert.StartsWith("https://", r.GetProperty("url").GetString());
            Assert.False(string.IsNullOrEmpty(r.GetProperty("title").GetString()));
            Assert.True(DateOnly.TryParse(r.GetProperty("publish_date").GetString(), out _));
            Assert.NotEmpty(r.GetProperty("excerpts").EnumerateArray());
        }
    }

    [Fact]
    public async Task Extract_returns_content_for_good_urls_and_errors_for_failing_ones()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var client = Http.Client(host);
        client.DefaultRequestHeaders.Add("x-api-key", "test-key");

        var response = await Http.PostAsync(client, "/v1beta/extract",
            """{"urls":["https://example.com/a","https://down.invalid/b"],"objective":"x","excerpts":true,"full_content":true}""");

        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("extract_", root.GetProperty("extract_id").GetString());
        var result = Assert.Single(root.GetProperty("results").EnumerateArray());
        Assert.Equal("https://example.com/a", result.GetProperty("url").GetString());
        Assert.Contains("#", result.GetProperty("full_content").GetString());
        Assert.NotEmpty(result.GetProperty("excerpts").EnumerateArray());
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Equal("https://down.invalid/b", error.GetProperty("url").GetString());
        Assert.Equal("fetch_error", error.GetProperty("error_type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("content").GetString()));

        var empty = await Http.PostAsync(client, "/v1beta/extract", """{"urls":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
