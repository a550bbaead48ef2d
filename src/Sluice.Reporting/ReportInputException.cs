namespace Sluice.Reporting;

/// <summary>A run directory that cannot be reported on: missing, not a run directory, or a file in it that does not
/// parse. The message names the file and, for a line that does not parse, the line.</summary>
public sealed class ReportInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The directory or file at fault.</param>
    /// <param name="line">The 1-based line at fault, or <see langword="null"/>.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    /// <param name="innerException">The parser's exception, or <see langword="null"/>.</param>
    public ReportInputException(string path, long? line, string message, Exception? innerException = null)
        : base(line is { } l ? $"{path}:{l}: {message}" : $"{path}: {message}", innerException)
    {
        Path = path;
        Line = line;
    }

    /// <summary>Gets the directory or file at fault.</summary>
    public string Path { get; }

    /// <summary>Gets the 1-based line at fault, or <see langword="null"/>.</summary>
    public long? Line { get; }
}
