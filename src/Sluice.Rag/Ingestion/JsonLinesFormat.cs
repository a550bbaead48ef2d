using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Sluice.Rag;

/// <summary>JSON Lines: one document per non-blank line, its text and id from the named fields. A bad line (invalid
/// JSON, a missing or mistyped field) is an error naming the line; the lines after it are still read.</summary>
internal static class JsonLinesFormat
{
    public static async IAsyncEnumerable<ReadOutcome> ReadAsync(
        string path, string relative, DirectoryReaderOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StreamReader? reader = null;
        string? openError = null;
        try
        {
            reader = new StreamReader(path, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            openError = $"{exception.GetType().Name}: {exception.Message}";
        }

        if (reader is null)
        {
            yield return ReadOutcome.Failed(relative, openError!);
            yield break;
        }

        using (reader)
        {
            int number = 0;
            while (true)
            {
                string? line;
                string? error = null;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or System.Text.DecoderFallbackException)
                {
                    line = null;
                    error = $"Reading stopped after line {number}: {exception.GetType().Name}: {exception.Message}";
                }

                if (error is not null)
                {
                    yield return ReadOutcome.Failed(relative, error);
                    yield break;
                }

                if (line is null)
                {
                    yield break;
                }

                number++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return Parse(line, number, relative, options);
                }
            }
        }
    }

    private static ReadOutcome Parse(string line, int number, string relative, DirectoryReaderOptions options)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ReadOutcome.Failed(relative, $"Line {number} is a JSON {root.ValueKind}; expected an object.");
            }

            string? id = root.TryGetProperty(options.JsonIdField, out var idElement)
                ? idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                }
                : null;
            if (string.IsNullOrEmpty(id))
            {
                return ReadOutcome.Failed(relative, $"Line {number} has no '{options.JsonIdField}' field with a non-empty string or number (JsonIdField).");
            }

            if (!root.TryGetProperty(options.JsonTextField, out var textElement) || textElement.ValueKind != JsonValueKind.String)
            {
                return ReadOutcome.Failed(relative, $"Line {number} (id '{id}') has no '{options.JsonTextField}' field with a string (JsonTextField).", id);
            }

            string title = root.TryGetProperty(options.JsonTitleField, out var titleElement) && titleElement.ValueKind == JsonValueKind.String
                ? titleElement.GetString()!
                : id;
            return ReadOutcome.Of(new SourceDocument { Id = id, Source = relative, Title = title, Text = textElement.GetString()! });
        }
        catch (JsonException exception)
        {
            return ReadOutcome.Failed(relative, string.Create(CultureInfo.InvariantCulture, $"Line {number} is not valid JSON: {exception.Message}"));
        }
    }
}
