using System.Text.Json;

namespace Sluice.Simulator.Endpoints;

/// <summary>Reading request fields with OpenAI's 400 messages when they are missing or of the wrong type.</summary>
internal static class JsonRequest
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new InvalidRequest("The request body must be a JSON object.", null);
            }
            return document;
        }
        catch (JsonException ex)
        {
            throw new InvalidRequest($"We could not parse the JSON body of your request. ({ex.Message})", null);
        }
    }

    public static string RequiredModel(JsonElement root)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } id)
            throw new InvalidRequest("you must provide a model parameter", "model");
        return id;
    }

    public static int? OptionalPositiveInt(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n) || n < 1)
            throw new InvalidRequest($"Invalid '{name}': expected an integer of at least 1.", name);
        return n;
    }

    public static bool OptionalBool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
