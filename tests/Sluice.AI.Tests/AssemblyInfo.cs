// The integration tests measure rates and latencies over real HTTP on a 2-core machine: running them one at a
// time keeps one test's load from distorting another's measurements. The thread pool is sized by
// tests/Shared/ThreadPoolSizing.cs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
