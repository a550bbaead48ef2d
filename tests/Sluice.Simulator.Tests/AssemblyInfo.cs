// Latency assertions read server-side percentiles; running test classes one at a time keeps the 2-core machine quiet enough.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
