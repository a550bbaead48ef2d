using System.Text.Json;

namespace Sluice.Evaluation;

/// <summary>
/// Reads a JSON verdict <c>{"passing": true|false, "feedback": "..."}</c>, possibly inside a markdown code fence or
/// surrounded by prose (the outermost braces are taken). <c>passing</c> must be a JSON boolean; <c>feedback</c>, when
/// present, a string. Passing reads as 1, failing as 0.
/// </summary>
internal static class GuidelineVerdictParser
{
    public static ParsedReply Parse(string reply)
    {
        if (reply.Trim().Length == 0)
        {
            return ParsedReply.Invalid("the reply is empty");
        }

        var start = reply.IndexOf('{');
        var end = reply.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return ParsedReply.Invalid("expected a JSON object {\"passing\": …, \"feedback\": …}");
        }

        try
        {
            using var document = JsonDocument.Parse(reply.AsMemory(start, end - start + 1));
            bool? passing = null;
            string? feedback = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals("passing", StringComparison.OrdinalIgnoreCase))
                {
                    passing = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => null,
                    };
                    if (passing is null)
                    {
                        return ParsedReply.Invalid("\"passing\" is not a JSON boolean");
                    }
                }
                else if (property.Name.Equals("feedback", StringComparison.OrdinalIgnoreCase))
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        feedback = property.Value.GetString();
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        return ParsedReply.Invalid("\"feedback\" is not a JSON string");
                    }
                }
            }

            return passing is bool verdict
                ? ParsedReply.Valid(verdict ? 1 : 0, feedback)
                : ParsedReply.Invalid("the JSON object has no \"passing\" field");
        }
        catch (JsonException)
        {
            return ParsedReply.Invalid("the reply is not valid JSON");
        }
    }
}
