namespace Sluice.BatchFiles;

/// <summary>Sees each record a <see cref="RunJournal"/> appends, in journal order, on the journal's writer thread, after
/// the record is durable and its append has completed.</summary>
/// <remarks>A follower must not throw and must not block for long: the journal's next group waits for it.</remarks>
internal interface IJournalFollower
{
    /// <summary>One durable record.</summary>
    /// <param name="succeeded">Whether the item succeeded (its line belongs in the output file, else in the errors file).</param>
    /// <param name="line">The item's output line, without a line end; valid only during the call.</param>
    void Follow(bool succeeded, ReadOnlySpan<byte> line);
}
