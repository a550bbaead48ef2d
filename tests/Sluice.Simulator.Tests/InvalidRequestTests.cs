using System.Net;
using System.Text.Json;

namespace Sluice.Simulator.Tests;

public sealed class InvalidRequestTests
{
    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model", "model")]
    [InlineData("""{"model":"m"}""", "messages", "messages")]
    [InlineData("""{"model":"m","messages":[]}""", "messages", "empty array")]
    [InlineData("""{"model":"m","messages":[{"content":"hi"}]}""", "messages[0].role", "role")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens", "max_tokens")]
    [InlineData("""not json""", null, "parse")]
    public async Task Invalid_chat_requests_get_an_OpenAI_shaped_400(string body, string? param, string messagePart)
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { RequestsPerMinute = 100 });
        using var client = Http.Client(host);

        var response = await Http.PostAsync(client, "/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(messagePart, error.GetProperty("message").GetString());
        Assert.Equal("100", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("100", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
    }

    [Fact]
    public async Task A_prompt_over_the_context_window_gets_context_length_exceeded()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { ContextWindowTokens = 100 });
        using var client = Http.Client(host);

        var ok = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("short", maxTokens: 50));
        var tooLong = await Http.PostAsync(client, "/v1/chat/completions", Http.ChatBody("short", maxTokens: 95));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var error = JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("maximum context length is 100 tokens", error.GetProperty("message").GetString());
    }
}
