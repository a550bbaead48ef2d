namespace Sluice.BatchFiles;

/// <summary>How a <see cref="RunJournal"/> makes records durable.</summary>
public sealed record RunJournalOptions
{
    /// <summary>
    /// Whether each group of records is flushed to the disk (<c>fsync</c>, survives a power loss) rather than only to
    /// the operating system (survives <c>kill -9</c> of the process, not a power loss).
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool FlushToDisk { get; init; } = true;
}
