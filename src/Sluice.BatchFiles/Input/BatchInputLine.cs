namespace Sluice.BatchFiles;

/// <summary>One non-blank line of a batch input file: either a valid <see cref="Request"/> or its <see cref="Errors"/>.</summary>
public sealed class BatchInputLine
{
    /// <summary>A valid line with its request.</summary>
    internal BatchInputLine(long lineNumber, BatchRequest request)
        : this(lineNumber, request.CustomId, request.Endpoint, request.Model)
    {
        Request = request;
    }

    /// <summary>A valid line read by validation, which needs no request (its body is not copied).</summary>
    internal BatchInputLine(long lineNumber, string customId, BatchEndpoint endpoint, string? model)
    {
        LineNumber = lineNumber;
        CustomId = customId;
        Endpoint = endpoint;
        Model = model;
        Errors = [];
        IsValid = true;
    }

    /// <summary>An invalid line.</summary>
    internal BatchInputLine(long lineNumber, string? customId, IReadOnlyList<BatchInputError> errors)
    {
        LineNumber = lineNumber;
        CustomId = customId;
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
    public bool IsValid { get; }

    /// <summary>The endpoint of a valid line.</summary>
    internal BatchEndpoint Endpoint { get; }

    /// <summary>The body's model of a valid line, when it names one.</summary>
    internal string? Model { get; }
}
