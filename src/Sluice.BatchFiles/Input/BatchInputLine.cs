namespace Sluice.BatchFiles;

/// <summary>One non-blank line of a batch input file: either a valid <see cref="Request"/> or its <see cref="Errors"/>.</summary>
public sealed class BatchInputLine
{
    internal BatchInputLine(long lineNumber, string? customId, BatchRequest? request, IReadOnlyList<BatchInputError> errors)
    {
        LineNumber = lineNumber;
        CustomId = customId;
        Request = request;
        Errors = errors;
    }

    /// <summary>The 1-based line number in the file.</summary>
    public long LineNumber { get; }

    /// <summary>The line's <c>custom_id</c> when it has a string one, even when the line is invalid.</summary>
    public string? CustomId { get; }

    /// <summary>The request, or <see langword="null"/> when the line is invalid.</summary>
    public BatchRequest? Request { get; }

    /// <summary>Every problem with the line; empty when it is valid.</summary>
    public IReadOnlyList<BatchInputError> Errors { get; }

    /// <summary>Whether the line is a valid request.</summary>
    public bool IsValid => Request is not null;
}
