// The budget tests wait on rate limits for a minute at a time and use little CPU: run the test classes side by side,
// more of them than the machine's 2 cores.
[assembly: CollectionBehavior(MaxParallelThreads = 6)]
