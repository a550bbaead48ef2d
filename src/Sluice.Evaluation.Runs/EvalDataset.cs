using System.Text;
using System.Text.Json;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// Reads an evaluation dataset: JSON Lines, one case per line, fields <c>query</c> (required), <c>id</c>,
/// <c>reference</c>, <c>relevant_ids</c>, <c>response</c>, <c>contexts</c> (optional; other fields are ignored). Blank
/// lines are skipped. The whole file is checked before any case is evaluated.
/// </summary>
public static class EvalDataset
{
    /// <summary>Reads and checks every line.</summary>
    /// <param name="path">The dataset file (UTF-8).</param>
    /// <returns>The cases, in file order.</returns>
    /// <exception cref="EvalDatasetException">The file is missing, empty, or a line is not a case: the message names the
    /// file, the line and what was expected (an invalid JSON line, a missing or empty <c>query</c>, a field of the wrong
    /// type, an id used twice).</exception>
    public static IReadOnlyList<EvalCase> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new EvalDatasetException(path, null, "no such file");
        }

        var cases = new List<EvalCase>();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        long number = 0;
        foreach (string text in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var @case = Parse(path, number, text);
            if (ids.TryGetValue(@case.Id, out long first))
            {
                throw new EvalDatasetException(path, number, $"the id '{@case.Id}' is already used on line {first}; ids must be unique");
            }

            ids.Add(@case.Id, number);
            cases.Add(@case);
        }

        return cases.Count == 0 ? throw new EvalDatasetException(path, null, "the dataset has no cases (expected one JSON object per line with at least a \"query\")") : cases;
    }

    private static EvalCase Parse(string path, long line, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new EvalDatasetException(path, line, $"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new EvalDatasetException(path, line, $"expected a JSON object, found {Describe(root.ValueKind)}");
            }

            string? query = Text(path, line, root, "query");
            if (string.IsNullOrWhiteSpace(query))
            {
                throw new EvalDatasetException(path, line, "missing \"query\": expected a non-empty string");
            }

            string? id = Text(path, line, root, "id");
            if (id is { Length: 0 })
            {
                throw new EvalDatasetException(path, line, "\"id\" is empty: expected a non-empty string, or no id (the case is then called line-N)");
            }

            return new EvalCase
            {
                Id = id ?? $"line-{line}",
                Line = line,
                Query = query,
                Reference = Text(path, line, root, "reference"),
                RelevantIds = Texts(path, line, root, "relevant_ids"),
                Response = Text(path, line, root, "response"),
                Contexts = Texts(path, line, root, "contexts"),
            };
        }
    }

    private static string? Text(string path, long line, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new EvalDatasetException(path, line, $"\"{name}\" must be a string, found {Describe(value.ValueKind)}");
    }

    private static string[]? Texts(string path, long line, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new EvalDatasetException(path, line, $"\"{name}\" must be an array of strings, found {Describe(value.ValueKind)}");
        }

        var items = new string[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items[i] = item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new EvalDatasetException(path, line, $"\"{name}\"[{i}] must be a string, found {Describe(item.ValueKind)}");
            i++;
        }

        return items;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
