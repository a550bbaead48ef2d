using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Sluice.Rag;

/// <summary>
/// Reads the texts to embed from a file, lazily, one line at a time: plain text lines (one text per non-blank line,
/// its id the line number) or JSON Lines (the text and id from named fields). Strict UTF-8. A bad line — invalid JSON,
/// not an object, a missing or mistyped field — is a <see cref="TextRecordFormatException"/> naming the file and line.
/// </summary>
public sealed class TextRecordReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly TextRecordReaderOptions _options;

    /// <summary>Creates a reader of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    public TextRecordReader(string path, TextRecordReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _options = (options ?? new TextRecordReaderOptions()).Validate();
        Format = _options.Format ?? FormatOf(path);
    }

    /// <summary>Gets the file.</summary>
    public string Path { get; }

    /// <summary>Gets how the file is read.</summary>
    public TextInputFormat Format { get; }

    /// <summary>The format a file's extension implies: <see cref="TextInputFormat.JsonLines"/> for <c>.jsonl</c> and
    /// <c>.ndjson</c> (any case), else <see cref="TextInputFormat.Lines"/>.</summary>
    /// <param name="path">A file name or path.</param>
    /// <returns>The format.</returns>
    public static TextInputFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = System.IO.Path.GetExtension(path);
        return extension.Equals(".jsonl", StringComparison.OrdinalIgnoreCase) || extension.Equals(".ndjson", StringComparison.OrdinalIgnoreCase)
            ? TextInputFormat.JsonLines
            : TextInputFormat.Lines;
    }

    /// <summary>Reads every record, in file order.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The records.</returns>
    /// <exception cref="TextRecordFormatException">The file cannot be opened, is not UTF-8, or a line is not a valid
    /// record (raised on enumeration; the message names the file and line).</exception>
    public async IAsyncEnumerable<TextRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (line, number) in ReadLinesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Format == TextInputFormat.Lines
                ? new TextRecord(number.ToString(CultureInfo.InvariantCulture), line, number)
                : Parse(line, number);
        }
    }

    /// <summary>Lines split on the bytes (LF, CRLF), each decoded as strict UTF-8 on its own, so invalid bytes are
    /// reported at their own line (a <see cref="StreamReader"/> decodes whole buffers ahead of the line it returns).</summary>
    private async IAsyncEnumerable<(string Line, long Number)> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new TextRecordFormatException(Path, 0, $"cannot be opened: {exception.Message}", exception);
        }

        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = new byte[1 << 16];
            var line = new ArrayBufferWriter<byte>(256);
            long number = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException exception)
                {
                    throw new TextRecordFormatException(Path, number + 1, $"cannot be read: {exception.Message}", exception);
                }

                if (read == 0)
                {
                    if (line.WrittenCount > 0)
                    {
                        yield return (Decode(line, ++number), number);
                    }

                    yield break;
                }

                int start = 0;
                int end;
                while ((end = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
                {
                    line.Write(buffer.AsSpan(start, end - start));
                    start = end + 1;
                    string text = Decode(line, ++number);
                    line.ResetWrittenCount();
                    yield return (text, number);
                }

                line.Write(buffer.AsSpan(start, read - start));
            }
        }
    }

    private string Decode(ArrayBufferWriter<byte> line, long number)
    {
        var bytes = line.WrittenSpan;
        if (number == 1 && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        if (bytes.EndsWith("\r"u8))
        {
            bytes = bytes[..^1];
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new TextRecordFormatException(Path, number, $"not valid UTF-8 (byte {exception.Index + 1} of the line).", exception);
        }
    }

    private TextRecord Parse(string line, long number)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException exception)
        {
            throw new TextRecordFormatException(Path, number, $"not valid JSON: {exception.Message}", exception);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TextRecordFormatException(Path, number, $"a JSON {root.ValueKind}; expected an object with '{_options.IdField}' and '{_options.TextField}'.");
            }

            string? id = root.TryGetProperty(_options.IdField, out var idElement)
                ? idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                }
                : null;
            if (string.IsNullOrEmpty(id))
            {
                throw new TextRecordFormatException(Path, number, $"no '{_options.IdField}' field with a non-empty string or number (the id field).");
            }

            if (!root.TryGetProperty(_options.TextField, out var textElement) || textElement.ValueKind != JsonValueKind.String)
            {
                throw new TextRecordFormatException(Path, number, $"no '{_options.TextField}' field with a string (the text field).");
            }

            return new TextRecord(id, textElement.GetString()!, number);
        }
    }
}
