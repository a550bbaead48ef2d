namespace Sluice.BatchFiles;

/// <summary>How a journalled item ended.</summary>
public enum JournalOutcome
{
    /// <summary>An HTTP answer with a 2xx status: its line belongs in the output file.</summary>
    Succeeded,

    /// <summary>Any other end: its line belongs in the errors file.</summary>
    Failed,
}
