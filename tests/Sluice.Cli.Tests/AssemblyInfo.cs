// Each test starts the command as a child process beside an in-process simulator: one at a time on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
