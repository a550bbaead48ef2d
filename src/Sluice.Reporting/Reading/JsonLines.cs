using System.Text.Json;

namespace Sluice.Reporting;

/// <summary>Reads JSON files of a run directory, turning every parse failure into a <see cref="ReportInputException"/>
/// that names the file and the line.</summary>
internal static class JsonLines
{
    /// <summary>Each non-blank line of a JSON Lines file, parsed, with its 1-based number. A last line without a line
    /// end that does not parse was torn by a kill and is skipped; any other bad line throws.</summary>
    public static IEnumerable<(long Line, JsonElement Value)> Read(string path)
    {
        bool terminated = EndsWithLineEnd(path);
        using var reader = new StreamReader(path);
        long number = 0;
        string? line = reader.ReadLine();
        while (line is not null)
        {
            number++;
            string? next = reader.ReadLine();
            if (!string.IsNullOrWhiteSpace(line))
            {
                JsonElement value;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    value = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    if (next is null && !terminated)
                    {
                        yield break;
                    }

                    throw new ReportInputException(path, number, $"not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); expected one JSON object per line.", ex);
                }

                if (value.ValueKind != JsonValueKind.Object)
                {
                    throw new ReportInputException(path, number, $"expected a JSON object, found {value.ValueKind.ToString().ToLowerInvariant()}.");
                }

                yield return (number, value);
            }

            line = next;
        }
    }

    /// <summary>A whole JSON file's root object.</summary>
    public static JsonElement ReadObject(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ReportInputException(path, null, "expected a JSON object.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ReportInputException(path, (ex.LineNumber ?? 0) + 1, $"not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}).", ex);
        }
    }

    public static string? String(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static long? Long(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out long n) ? n : null;

    public static double? Double(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;

    public static decimal? Decimal(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetDecimal(out decimal d) ? d : null;

    public static bool? Bool(JsonElement value, string name) =>
        value.TryGetProperty(name, out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null;

    /// <summary>A required field of a JSON Lines record: its absence names the file, the line and the field.</summary>
    public static T Require<T>(T? value, string path, long line, string name, string expected)
        where T : struct =>
        value ?? throw new ReportInputException(path, line, $"field \"{name}\" is missing or not {expected}.");

    public static string Require(string? value, string path, long line, string name) =>
        value ?? throw new ReportInputException(path, line, $"field \"{name}\" is missing or not a string.");

    private static bool EndsWithLineEnd(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return true;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}
