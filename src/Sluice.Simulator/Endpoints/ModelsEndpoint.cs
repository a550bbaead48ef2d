using System.Buffers;
using System.Text.Json;

namespace Sluice.Simulator.Endpoints;

/// <summary><c>GET /v1/models</c>: the configured model ids.</summary>
internal sealed class ModelsEndpoint : ISimulatedEndpoint
{
    public string Name => "models";

    public bool IsSimulatedWork => false;

    public SimulatedReply Answer(in EndpointRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var id in request.Options.Models)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("object", "model");
                json.WriteNumber("created", request.State.StartedUnixSeconds);
                json.WriteString("owned_by", "sluice-simulator");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new SimulatedReply { Body = buffer.WrittenSpan.ToArray() };
    }
}
