using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;

namespace Sluice.Simulator.Tests;

/// <summary>Small helpers for talking to a simulator over real HTTP.</summary>
internal static class Http
{
    public static OpenAIClient OpenAI(SimulatorHost host) => new(new System.ClientModel.ApiKeyCredential("sk-test"),
        new OpenAIClientOptions { Endpoint = host.OpenAIEndpoint, RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(10) });

    public static HttpClient Client(SimulatorHost host) => new() { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public static string ChatBody(string user, int? maxTokens = null, string model = "gpt-4o-mini") =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new[] { new { role = "user", content = user } },
            ["max_tokens"] = maxTokens,
        });

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> StatsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/stats"));

    public static long Status(JsonElement stats, string endpoint, int status) =>
        stats.GetProperty("by_endpoint").TryGetProperty(endpoint, out var e) && e.TryGetProperty(status.ToString(), out var n) ? n.GetInt64() : 0;
}
