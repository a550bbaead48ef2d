namespace Sluice.Cluster.Runs;

/// <summary>The registry of runs with shards left (<see cref="IRunRegistryGrain"/>), in memory only, by design.</summary>
internal sealed class RunRegistryGrain(TimeProvider time) : Grain, IRunRegistryGrain
{
    private readonly SortedSet<string> _runs = new(StringComparer.Ordinal);

    /// <summary>Completed, and replaced, when a run is listed: what <see cref="WaitForRunsAsync"/> waits on.</summary>
    private TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task AddAsync(string run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(run);
        if (_runs.Add(run))
        {
            var listed = _listed;
            _listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            listed.TrySetResult();
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string run)
    {
        _runs.Remove(run);
        return Task.CompletedTask;
    }

    public Task<string[]> GetRunsAsync() => Task.FromResult(_runs.ToArray());

    public async Task<string[]> WaitForRunsAsync(TimeSpan longest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(longest, TimeSpan.Zero);
        if (_runs.Count == 0 && longest > TimeSpan.Zero)
        {
            // Interleaved with the other calls (the interface marks it so): AddAsync runs meanwhile and ends the wait.
            await Task.WhenAny(_listed.Task, Task.Delay(longest, time));
        }

        return _runs.ToArray();
    }
}
