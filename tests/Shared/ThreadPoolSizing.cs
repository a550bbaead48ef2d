using System.Runtime.CompilerServices;

namespace Sluice.Testing;

/// <summary>
/// Compiled into every test project that runs Sluice.Simulator in-process. There the simulator and its client share
/// one process, and the test host keeps a pool thread blocked (its message loop polls a socket). With the pool's default
/// minimum (one thread per core, two on this machine) a burst of requests waits for thread injection, about one thread
/// every half second, which stalls both sides and bunches requests together (a CI run saw a 25 ms request served in
/// 783 ms). A separate provider process never sees that; these tests start with a pool sized for both sides.
/// </summary>
internal static class ThreadPoolSizing
{
    [ModuleInitializer]
    internal static void SizeThreadPool()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
