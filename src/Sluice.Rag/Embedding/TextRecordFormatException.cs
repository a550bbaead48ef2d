namespace Sluice.Rag;

/// <summary>A line of a text input file that cannot be read as a record; the message names the file, the line and
/// what was expected.</summary>
public sealed class TextRecordFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="line">The 1-based line (0 when the file could not be opened).</param>
    /// <param name="reason">What is wrong with the line, in words.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public TextRecordFormatException(string path, long line, string reason, Exception? innerException = null)
        : base(line > 0 ? $"{path}, line {line}: {reason}" : $"{path}: {reason}", innerException)
    {
        Path = path;
        Line = line;
    }

    /// <summary>Gets the file.</summary>
    public string Path { get; }

    /// <summary>Gets the 1-based line (0 when the file could not be opened or read at all).</summary>
    public long Line { get; }
}
