namespace Sluice.AI;

/// <summary>
/// Time an attempt spent, while holding its concurrency slot, waiting for rate budget. The concurrency layer opens one
/// per attempt (it flows to the layers inside through the execution context); the budget layer adds its wait; the
/// concurrency layer subtracts it, so that the adaptive limit learns from the provider's latency, not from the budget's.
/// </summary>
internal sealed class SlotWait
{
    private static readonly AsyncLocal<SlotWait?> CurrentWait = new();
    private long _ticks;

    /// <summary>Gets the wait of the attempt running on this execution context, if a concurrency layer opened one.</summary>
    public static SlotWait? Current => CurrentWait.Value;

    /// <summary>Gets the total wait recorded.</summary>
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>Opens a wait for the attempt about to run on this execution context.</summary>
    public static SlotWait Open()
    {
        var wait = new SlotWait();
        CurrentWait.Value = wait;
        return wait;
    }

    /// <summary>Adds time spent waiting inside the slot.</summary>
    public void Add(TimeSpan waited) => Interlocked.Add(ref _ticks, waited.Ticks);
}
