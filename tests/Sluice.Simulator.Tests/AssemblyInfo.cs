// Latency assertions read server-side percentiles; running test classes one at a time keeps the 2-core machine quiet enough.
// The thread pool is sized by tests/Shared/ThreadPoolSizing.cs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
