namespace Sluice.Rag;

/// <summary>
/// Equality conditions on metadata fields, all of which a record must meet (<c>field == value AND …</c>). Applied
/// during the scan: rows that fail are never scored, so a search returns the top k among the matching rows.
/// </summary>
public sealed class MetadataFilter
{
    private readonly List<KeyValuePair<string, string>> _conditions = [];

    private MetadataFilter()
    {
    }

    /// <summary>Gets the conditions, in the order they were added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Conditions => _conditions;

    /// <summary>Starts a filter with <c><paramref name="field"/> == <paramref name="value"/></c>.</summary>
    /// <param name="field">The metadata field.</param>
    /// <param name="value">The value it must equal (ordinal).</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Where(string field, string value) => new MetadataFilter().And(field, value);

    /// <summary>Adds <c><paramref name="field"/> == <paramref name="value"/></c>.</summary>
    /// <param name="field">The metadata field.</param>
    /// <param name="value">The value it must equal (ordinal).</param>
    /// <returns>This filter.</returns>
    public MetadataFilter And(string field, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentNullException.ThrowIfNull(value);
        _conditions.Add(new(field, value));
        return this;
    }

    /// <summary>Whether <paramref name="metadata"/> meets every condition.</summary>
    /// <param name="metadata">A record's metadata.</param>
    /// <returns><see langword="true"/> when every condition holds.</returns>
    public bool Matches(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var (field, value) in _conditions)
        {
            if (!metadata.TryGetValue(field, out string? actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
