namespace Sluice.Rag;

/// <summary>How <see cref="TextRecordReader"/> reads a file.</summary>
public enum TextInputFormat
{
    /// <summary>One text per non-blank line; its id is the 1-based line number.</summary>
    Lines,

    /// <summary>One JSON object per non-blank line; the text and id come from named fields.</summary>
    JsonLines,
}
