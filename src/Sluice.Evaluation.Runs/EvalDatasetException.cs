namespace Sluice.Evaluation.Runs;

/// <summary>An evaluation dataset that cannot be read; the message starts with <c>file:line:</c> where a line is at fault.</summary>
public sealed class EvalDatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The dataset file.</param>
    /// <param name="line">The 1-based line at fault, or <see langword="null"/> for the file as a whole.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public EvalDatasetException(string path, long? line, string problem, Exception? inner = null)
        : base(line is { } n ? $"{path}:{n}: {problem}" : $"{path}: {problem}", inner)
    {
        Path = path;
        Line = line;
    }

    /// <summary>Gets the dataset file.</summary>
    public string Path { get; }

    /// <summary>Gets the 1-based line at fault, or <see langword="null"/>.</summary>
    public long? Line { get; }
}
