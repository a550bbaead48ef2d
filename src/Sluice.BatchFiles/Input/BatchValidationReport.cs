using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>What <see cref="BatchInputReader.ValidateAsync"/> found in a whole input file.</summary>
public sealed class BatchValidationReport
{
    internal BatchValidationReport(string path, long lineCount, long validCount, long errorCount, IReadOnlyList<BatchInputError> errors, BatchEndpoint? endpoint, string? model)
    {
        Path = path;
        LineCount = lineCount;
        ValidCount = validCount;
        ErrorCount = errorCount;
        Errors = errors;
        Endpoint = endpoint;
        Model = model;
    }

    /// <summary>The input file's path.</summary>
    public string Path { get; }

    /// <summary>How many non-blank lines the file holds.</summary>
    public long LineCount { get; }

    /// <summary>How many of them are valid requests.</summary>
    public long ValidCount { get; }

    /// <summary>How many lines are invalid.</summary>
    public long InvalidCount => LineCount - ValidCount;

    /// <summary>How many errors were found in all (a line may have several; <see cref="Errors"/> keeps the first ones up to the cap).</summary>
    public long ErrorCount { get; }

    /// <summary>The first errors, in file order, at most <see cref="BatchInputOptions.MaxReportedErrors"/>.</summary>
    public IReadOnlyList<BatchInputError> Errors { get; }

    /// <summary>Whether <see cref="Errors"/> left some errors out.</summary>
    public bool IsTruncated => ErrorCount > Errors.Count;

    /// <summary>Whether the file is valid: at least one line and no error.</summary>
    public bool IsValid => ErrorCount == 0;

    /// <summary>The endpoint of the valid lines, or <see langword="null"/> when there is none.</summary>
    public BatchEndpoint? Endpoint { get; }

    /// <summary>The model of the valid lines (the first one found), or <see langword="null"/> when none names one.</summary>
    public string? Model { get; }

    /// <summary>Writes the errors in OpenAI's shape, <c>{"object": "list", "data": [{"code", "line", "message", "param"}]}</c>.</summary>
    /// <param name="destination">Where to write (left open).</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the JSON is written and flushed.</returns>
    public async Task WriteErrorsAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var error in Errors)
        {
            writer.WriteStartObject();
            writer.WriteString("code", error.Code);
            if (error.Line is { } line)
            {
                writer.WriteNumber("line", line);
            }
            else
            {
                writer.WriteNull("line");
            }

            writer.WriteString("message", error.Message);
            writer.WriteString("param", error.Param);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The errors as lines for a person (<see cref="BatchInputError.Describe"/>), with a last line saying how many were left out.</summary>
    /// <returns>The lines.</returns>
    public IEnumerable<string> Describe()
    {
        foreach (var error in Errors)
        {
            yield return error.Describe(Path);
        }

        if (IsTruncated)
        {
            yield return $"{Path}: {ErrorCount - Errors.Count} more errors not shown ({ErrorCount} in {InvalidCount} invalid lines).";
        }
    }
}
