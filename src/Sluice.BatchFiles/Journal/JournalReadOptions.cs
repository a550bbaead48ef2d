namespace Sluice.BatchFiles;

/// <summary>How <see cref="RunJournalReader.ReadCompletedAsync"/> decides what is done.</summary>
public sealed record JournalReadOptions
{
    /// <summary>
    /// Whether items whose last record failed count as not done, so a resumed run sends them again
    /// (<c>--retry-errors</c>).
    /// </summary>
    /// <value>Default <see langword="false"/>: every journalled item is done, failed or not.</value>
    public bool RetryErrors { get; init; }
}
