// The crash test runs a child process and the corpus tests run the model on every core: one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
