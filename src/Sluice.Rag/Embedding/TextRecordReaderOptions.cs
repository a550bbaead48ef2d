namespace Sluice.Rag;

/// <summary>Settings for <see cref="TextRecordReader"/>.</summary>
public sealed record TextRecordReaderOptions
{
    /// <summary>Gets how the file is read, or <see langword="null"/> to choose by its extension.</summary>
    /// <value>Default <see langword="null"/>: <see cref="TextInputFormat.JsonLines"/> for <c>.jsonl</c> and
    /// <c>.ndjson</c>, else <see cref="TextInputFormat.Lines"/>.</value>
    public TextInputFormat? Format { get; init; }

    /// <summary>Gets the JSON Lines field holding the text (a string).</summary>
    /// <value>Default <c>"text"</c>.</value>
    public string TextField { get; init; } = "text";

    /// <summary>Gets the JSON Lines field holding the id (a non-empty string, or a number).</summary>
    /// <value>Default <c>"id"</c>.</value>
    public string IdField { get; init; } = "id";

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A field name is empty.</exception>
    public TextRecordReaderOptions Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(TextField);
        ArgumentException.ThrowIfNullOrEmpty(IdField);
        return this;
    }
}
