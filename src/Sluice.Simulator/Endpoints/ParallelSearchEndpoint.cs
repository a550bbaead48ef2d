using System.Buffers;
using System.Text.Json;

namespace Sluice.Simulator.Endpoints;

/// <summary><c>POST /v1beta/search</c> in the shape of the Parallel Web Systems Search API.</summary>
internal sealed class ParallelSearchEndpoint : ISimulatedEndpoint
{
    public string Name => "search";

    public bool IsSimulatedWork => true;

    public SimulatedReply Answer(in EndpointRequest request)
    {
        if (FakeWebPage.RequireApiKey(request) is { } unauthorized)
            return unauthorized;
        using var document = JsonRequest.Parse(request.Body);
        var root = document.RootElement;
        bool hasObjective = root.TryGetProperty("objective", out var objective) && objective.ValueKind == JsonValueKind.String && objective.GetString()!.Length > 0;
        bool hasQueries = root.TryGetProperty("search_queries", out var queries) && queries.ValueKind == JsonValueKind.Array && queries.GetArrayLength() > 0;
        if (!hasObjective && !hasQueries)
            throw new InvalidRequest("Either 'objective' or 'search_queries' is required.", "objective");
        int maxResults = Math.Min(JsonRequest.OptionalPositiveInt(root, "max_results") ?? 10, 40);
        int excerpts = 1 + (int)(request.Hash.Seed(request.Options.Seed) % 3);
        var text = request.State.Text;

        var buffer = new ArrayBufferWriter<byte>(1024 * maxResults);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("search_id", "search_" + request.Hash.ToId());
            json.WriteStartArray("results");
            for (int i = 0; i < maxResults; i++)
            {
                ulong seed = request.Hash.Seed(request.Options.Seed, (ulong)i + 1);
                json.WriteStartObject();
                json.WriteString("url", $"https://example.com/{seed % 1000:D3}/{seed:x12}");
                json.WriteString("title", FakeWebPage.Title(text, seed));
                json.WriteString("publish_date", FakeWebPage.PublishDate(seed));
                json.WriteStartArray("excerpts");
                foreach (var excerpt in FakeWebPage.Excerpts(text, seed, excerpts))
                    json.WriteStringValue(excerpt);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new SimulatedReply { Body = buffer.WrittenSpan.ToArray() };
    }
}
