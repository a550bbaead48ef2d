using System.Runtime.CompilerServices;

// Latency assertions read server-side percentiles; running test classes one at a time keeps the 2-core machine quiet enough.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Sluice.Simulator.Tests;

internal static class TestProcess
{
    /// <summary>
    /// Here the simulator and its client share one process, and the test host keeps a pool thread blocked. With the
    /// pool's default minimum (one thread per core) a burst of requests waits for thread injection, about one thread
    /// every half second, and a request served on time is seen late (a CI run recorded a 783 ms maximum for a 25 ms
    /// latency). The tests start with a pool sized for both sides, as the AI and evaluation tests do.
    /// </summary>
    [ModuleInitializer]
    internal static void SizeThreadPool()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
