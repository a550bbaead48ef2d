namespace Sluice.Rag;

/// <summary>Settings for <see cref="DirectoryReader"/>. Every property has a documented, validated default.</summary>
public sealed record DirectoryReaderOptions
{
    /// <summary>Gets whether sub-directories are walked too. Names starting with a dot (<c>.git</c>, <c>.cache</c>) are never read.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Recursive { get; init; } = true;

    /// <summary>Gets the JSON Lines field holding a record's text (a string).</summary>
    /// <value>Default <c>"text"</c>.</value>
    public string JsonTextField { get; init; } = "text";

    /// <summary>Gets the JSON Lines field holding a record's document id (a string or a number).</summary>
    /// <value>Default <c>"id"</c>.</value>
    public string JsonIdField { get; init; } = "id";

    /// <summary>Gets the JSON Lines field holding a record's title (optional in each record; the id when absent).</summary>
    /// <value>Default <c>"title"</c>.</value>
    public string JsonTitleField { get; init; } = "title";

    /// <summary>Gets the largest file read (JSON Lines files are streamed and exempt); a larger one is an error record.</summary>
    /// <value>Default 64 MiB.</value>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is empty or out of range; the message names it.</exception>
    public DirectoryReaderOptions Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(JsonTextField);
        ArgumentException.ThrowIfNullOrEmpty(JsonIdField);
        ArgumentException.ThrowIfNullOrEmpty(JsonTitleField);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFileBytes);
        return this;
    }
}
