namespace Sluice.BatchFiles;

/// <summary>
/// One line of a run journal: <c>{"custom_id", "outcome": "succeeded" | "failed", "input_line", "line": {…output line…}}</c>.
/// </summary>
public sealed class JournalRecord
{
    internal JournalRecord(string customId, JournalOutcome outcome, long inputLine, ReadOnlyMemory<byte> outputLine)
    {
        CustomId = customId;
        Outcome = outcome;
        InputLine = inputLine;
        OutputLine = outputLine;
    }

    /// <summary>The item's <c>custom_id</c>.</summary>
    public string CustomId { get; }

    /// <summary>How the item ended.</summary>
    public JournalOutcome Outcome { get; }

    /// <summary>The item's 1-based line in the input file (for output in input order).</summary>
    public long InputLine { get; }

    /// <summary>The item's output line (UTF-8 JSON, no line end), exactly as it goes into the output or errors file.</summary>
    public ReadOnlyMemory<byte> OutputLine { get; }

    /// <summary>Reads <see cref="OutputLine"/>.</summary>
    /// <returns>The result.</returns>
    public BatchResult ToResult() => BatchResult.Parse(OutputLine.Span);
}
