using System.Text;

namespace Sluice.Rag;

/// <summary>Plain text and Markdown: strict UTF-8 (a byte-order mark is dropped; invalid bytes are an error, not
/// replacement characters), and a Markdown file's first heading as its title.</summary>
internal static class PlainTextFormat
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<string> ReadUtf8Async(string path, CancellationToken cancellationToken)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidDataException($"The file is not valid UTF-8 (byte {exception.Index + start} of the file).", exception);
        }
    }

    public static (string Title, string Text) Markdown(string text)
    {
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith('#'))
            {
                return (trimmed.TrimStart('#').Trim(), text);
            }
        }

        return ("", text);
    }
}
