using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>The fields of one input line as written, before the file-wide checks (duplicates, mismatches).</summary>
internal ref struct ParsedRequestLine
{
    public string? JsonError;
    public bool HasCustomId;
    public string? CustomId;
    public bool HasMethod;
    public string? Method;
    public bool HasUrl;
    public string? Url;
    public bool HasBody;
    public bool BodyIsObject;
    public int BodyStart;
    public int BodyLength;
    public string? Model;
}

/// <summary>Reads one input line with <see cref="Utf8JsonReader"/>: no document, the body located by offsets.</summary>
internal static class RequestLineParser
{
    public static ParsedRequestLine Parse(ReadOnlySpan<byte> line)
    {
        var parsed = default(ParsedRequestLine);
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                parsed.JsonError = "expected one JSON object per line";
                return parsed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("custom_id"u8))
                {
                    parsed.HasCustomId = true;
                    parsed.CustomId = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("method"u8))
                {
                    parsed.HasMethod = true;
                    parsed.Method = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("url"u8))
                {
                    parsed.HasUrl = true;
                    parsed.Url = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("body"u8))
                {
                    ReadBody(ref reader, ref parsed);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
                // Throws on anything after the object; returns false at the end of the line.
            }
        }
        catch (JsonException exception)
        {
            parsed.JsonError = $"the line is not valid JSON ({FirstSentence(exception.Message)})";
        }
        catch (InvalidOperationException exception)
        {
            // A string the reader cannot decode (a lone surrogate escape such as \ud800) in custom_id, url, method or model.
            parsed.JsonError = $"a string in the line cannot be decoded ({FirstSentence(exception.Message)})";
        }

        return parsed;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static void ReadBody(ref Utf8JsonReader reader, ref ParsedRequestLine parsed)
    {
        reader.Read();
        parsed.HasBody = true;
        int start = (int)reader.TokenStartIndex;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        int depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            bool isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel && reader.TokenType == JsonTokenType.String)
            {
                parsed.Model = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        parsed.BodyIsObject = true;
        parsed.BodyStart = start;
        parsed.BodyLength = (int)reader.BytesConsumed - start;
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
