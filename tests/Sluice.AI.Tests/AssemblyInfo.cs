using System.Runtime.CompilerServices;

// The integration tests measure rates and latencies over real HTTP on a 2-core machine: running them one at a
// time keeps one test's load from distorting another's measurements.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Sluice.AI.Tests;

internal static class TestProcess
{
    /// <summary>
    /// The test host keeps thread-pool threads blocked (its message loop polls a socket on one), and here the
    /// simulator and the client share one process. With the pool's default minimum (one thread per core, two on this
    /// machine) new threads are injected only every half second or so, which stalls both sides and bunches requests
    /// together. A separate provider process never sees that; the tests start with a pool sized for both sides.
    /// </summary>
    [ModuleInitializer]
    internal static void SizeThreadPool()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
