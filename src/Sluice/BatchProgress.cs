namespace Sluice;

/// <summary>
/// A snapshot of a running batch. Reports are issued in order: <see cref="Completed"/> and <see cref="Failed"/>
/// never decrease from one report to the next, and the last report of a run carries its final counts.
/// </summary>
public sealed record BatchProgress
{
    /// <summary>Gets how many items finished successfully.</summary>
    public long Completed { get; init; }

    /// <summary>Gets how many items finished with an error.</summary>
    public long Failed { get; init; }

    /// <summary>Gets how many items are being worked on at the moment of the snapshot.</summary>
    public int InFlight { get; init; }

    /// <summary>Gets the number of items in the source, or <see langword="null"/> while it is unknown.</summary>
    /// <remarks>Known up front for collections and when <see cref="BatchOptions.ExpectedCount"/> is set; known for any
    /// source once it has been read to the end.</remarks>
    public long? Total { get; init; }

    /// <summary>Gets the time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the finished items (completed and failed) per second since the run started.</summary>
    public double ThroughputPerSecond { get; init; }

    /// <summary>Gets the estimated time to finish, or <see langword="null"/> when <see cref="Total"/> or the throughput is unknown.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Gets the concurrency limit in force at the moment of the snapshot (it changes when the limit is adaptive).</summary>
    public int ConcurrencyLimit { get; init; }

    /// <summary>Gets how many finished results the reorder window holds back because an earlier item has not finished
    /// (a slow or hung item at the head); always 0 for unordered output.</summary>
    /// <remarks>Admission goes on while it grows, up to <see cref="BatchOptions.ReorderWindowLimit"/>: a large value says
    /// the output waits for one item while the workers keep going.</remarks>
    public int HeldForOrder { get; init; }

    /// <summary>Gets the number of finished items, <see cref="Completed"/> plus <see cref="Failed"/>.</summary>
    public long Finished => Completed + Failed;
}
