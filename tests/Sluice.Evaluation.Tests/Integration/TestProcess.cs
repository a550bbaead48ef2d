using System.Runtime.CompilerServices;

namespace Sluice.Evaluation.Tests;

internal static class TestProcess
{
    /// <summary>
    /// The simulator and the judge client share this process, and the test host keeps thread-pool threads blocked;
    /// with the default minimum of one thread per core the pool injects threads slowly and both sides stall.
    /// </summary>
    [ModuleInitializer]
    internal static void SizeThreadPool()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
