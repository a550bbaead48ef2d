using Sluice.ColdStart;

namespace Sluice.Bench;

/// <summary>
/// The engine's per-item cost as a fixed amount of work, for counting instructions (<c>valgrind --tool=callgrind</c>),
/// which does not depend on what else the machine runs. The same case as <see cref="EngineStartupCase"/> (<see cref="ColdStartWork.EngineAsync"/>).
/// The process warms up (5 runs of 200,000 items, each followed by a pause so that tiered compilation goes on in the
/// background), then runs <c>items</c> once. Work, source and consumer all run on the main thread (nothing here ever
/// waits), so counting that thread alone (<c>--separate-threads=yes</c>) leaves out the runtime's background threads.
/// Two processes that differ only in <c>items</c> differ only by those items' cost: (instructions of the larger −
/// instructions of the smaller) ÷ (difference in items) is the warm cost per item.
/// </summary>
internal static class EngineFixedWorkCase
{
    /// <summary>Usage: <c>fixed-work unordered|ordered &lt;items&gt;</c>.</summary>
    public static async Task RunInThisProcessAsync(bool ordered, int items)
    {
        for (int i = 0; i < 5; i++)
        {
            await ColdStartWork.EngineAsync(200_000, ordered);
            Thread.Sleep(1_000); // let the tiered-compilation thread work through its queue
        }

        await ColdStartWork.EngineAsync(items, ordered);
        BenchResult.Print(new { Case = "fixed_work", Ordered = ordered, Items = items, ManagedThread = Environment.CurrentManagedThreadId });
    }
}
