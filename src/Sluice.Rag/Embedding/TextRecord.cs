namespace Sluice.Rag;

/// <summary>One text to embed, as <see cref="TextRecordReader"/> read it.</summary>
/// <param name="Id">The record's id: the JSON Lines id field, or the 1-based line number of a text-lines file.</param>
/// <param name="Text">The text.</param>
/// <param name="Line">The 1-based line of the file it came from.</param>
public readonly record struct TextRecord(string Id, string Text, long Line);
