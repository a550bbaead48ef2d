namespace Sluice.BatchFiles;

/// <summary>A file Sluice reads back (an output file, a journal, a manifest) is malformed; the message names the file and line.</summary>
public sealed class BatchFileFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="lineNumber">The 1-based line, or <see langword="null"/> for the whole file.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public BatchFileFormatException(string path, long? lineNumber, string problem, Exception? innerException = null)
        : base($"{path}{(lineNumber is { } line ? $", line {line}" : "")}: {problem}", innerException)
    {
        FilePath = path;
        LineNumber = lineNumber;
    }

    /// <summary>The malformed file.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line at fault, or <see langword="null"/>.</summary>
    public long? LineNumber { get; }
}
