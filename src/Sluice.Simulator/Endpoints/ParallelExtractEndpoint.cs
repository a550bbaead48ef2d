using System.Buffers;
using System.Text.Json;
using Sluice.Simulator.Content;

namespace Sluice.Simulator.Endpoints;

/// <summary>
/// <c>POST /v1beta/extract</c> in the shape of the Parallel Web Systems Extract API. URLs whose host ends in
/// <c>.invalid</c> or whose path contains <c>/error</c> land in <c>errors[]</c>.
/// </summary>
internal sealed class ParallelExtractEndpoint : ISimulatedEndpoint
{
    public string Name => "extract";

    public bool IsSimulatedWork => true;

    public SimulatedReply Answer(in EndpointRequest request)
    {
        if (FakeWebPage.RequireApiKey(request) is { } unauthorized)
            return unauthorized;
        using var document = JsonRequest.Parse(request.Body);
        var root = document.RootElement;
        if (!root.TryGetProperty("urls", out var urls) || urls.ValueKind != JsonValueKind.Array || urls.GetArrayLength() == 0)
            throw new InvalidRequest("Missing required parameter: 'urls' (a non-empty array of strings).", "urls");
        bool excerpts = !root.TryGetProperty("excerpts", out var e) || e.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);
        bool fullContent = root.TryGetProperty("full_content", out var f) && f.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);
        var text = request.State.Text;
        var failed = new List<string>();

        var buffer = new ArrayBufferWriter<byte>(2048 * urls.GetArrayLength());
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("extract_id", "extract_" + request.Hash.ToId());
            json.WriteStartArray("results");
            int index = 0;
            foreach (var item in urls.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw new InvalidRequest($"Invalid 'urls[{index}]': expected a string.", $"urls[{index}]");
                string url = item.GetString()!;
                index++;
                if (FakeWebPage.Fails(url))
                {
                    failed.Add(url);
                    continue;
                }
                ulong seed = RequestHash.Of(url).Seed(request.Options.Seed);
                json.WriteStartObject();
                json.WriteString("url", url);
                json.WriteString("title", FakeWebPage.Title(text, seed));
                json.WriteString("publish_date", FakeWebPage.PublishDate(seed));
                if (excerpts)
                {
                    json.WriteStartArray("excerpts");
                    foreach (var excerpt in FakeWebPage.Excerpts(text, seed, 2))
                        json.WriteStringValue(excerpt);
                    json.WriteEndArray();
                }
                else
                {
                    json.WriteNull("excerpts");
                }
                if (fullContent) json.WriteString("full_content", FakeWebPage.FullContent(text, seed));
                else json.WriteNull("full_content");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("errors");
            foreach (var url in failed)
            {
                json.WriteStartObject();
                json.WriteString("url", url);
                json.WriteString("error_type", "fetch_error");
                json.WriteNumber("http_status_code", 404);
                json.WriteString("content", "The page could not be fetched (simulated).");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new SimulatedReply { Body = buffer.WrittenSpan.ToArray() };
    }
}
