using System.Text.Json;

namespace Sluice.Rag;

/// <summary>Reads the Search and Extract APIs' answers into documents; a missing or mistyped field is a
/// <see cref="JsonException"/> that names it.</summary>
internal static class ParallelWebAnswers
{
    public sealed record Extracted(string ExtractId, IReadOnlyList<WebDocument> Documents, IReadOnlyList<WebExtractError> Errors);

    public static WebSearchResult ReadSearch(JsonElement root)
    {
        string searchId = RequiredString(root, "search_id");
        var documents = new List<WebDocument>();
        foreach (var result in RequiredArray(root, "results"))
        {
            string url = RequiredString(result, "url");
            var metadata = Metadata(result, url, WebDocument.SearchIdKey, searchId);
            documents.Add(new WebDocument { Id = url, Text = Excerpts(result), Metadata = metadata });
        }

        return new WebSearchResult(searchId, documents);
    }

    public static Extracted ReadExtract(JsonElement root)
    {
        string extractId = RequiredString(root, "extract_id");
        var documents = new List<WebDocument>();
        foreach (var result in RequiredArray(root, "results"))
        {
            string url = RequiredString(result, "url");
            string? full = OptionalString(result, "full_content");
            documents.Add(new WebDocument
            {
                Id = url,
                Text = string.IsNullOrEmpty(full) ? Excerpts(result) : full,
                Metadata = Metadata(result, url, WebDocument.ExtractIdKey, extractId),
            });
        }

        var errors = new List<WebExtractError>();
        if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in list.EnumerateArray())
            {
                int? status = error.TryGetProperty("http_status_code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : null;
                errors.Add(new WebExtractError(
                    RequiredString(error, "url"),
                    OptionalString(error, "error_type") ?? "unknown",
                    status,
                    OptionalString(error, "content") ?? "The page could not be extracted.",
                    extractId,
                    null));
            }
        }

        return new Extracted(extractId, documents, errors);
    }

    /// <summary>The message of an error body (<c>{"error":{"message"}}</c>, <c>{"message"}</c>, or the text itself, cut to 300 characters).</summary>
    public static string ErrorMessage(BinaryData content)
    {
        try
        {
            using var json = JsonDocument.Parse(content.ToMemory());
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && OptionalString(error, "message") is { } nested)
                {
                    return nested;
                }

                if (OptionalString(root, "message") is { } message)
                {
                    return message;
                }
            }
        }
        catch (JsonException)
        {
        }

        string text = content.ToString();
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    private static Dictionary<string, string> Metadata(JsonElement result, string url, string idKey, string id)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [WebDocument.UrlKey] = url, [idKey] = id };
        if (OptionalString(result, "title") is { } title)
        {
            metadata[WebDocument.TitleKey] = title;
        }

        if (OptionalString(result, "publish_date") is { } date)
        {
            metadata[WebDocument.PublishDateKey] = date;
        }

        return metadata;
    }

    private static string Excerpts(JsonElement result) =>
        result.TryGetProperty("excerpts", out var excerpts) && excerpts.ValueKind == JsonValueKind.Array
            ? string.Join("\n\n", excerpts.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()))
            : "";

    private static string RequiredString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new JsonException($"The answer has no string '{name}'.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement.ArrayEnumerator RequiredArray(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new JsonException($"The answer has no array '{name}'.");
}
