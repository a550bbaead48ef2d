namespace Sluice.Cluster.Runs;

/// <summary>The registry of runs with shards left (<see cref="IRunRegistryGrain"/>), in memory only, by design.</summary>
internal sealed class RunRegistryGrain : Grain, IRunRegistryGrain
{
    private readonly SortedSet<string> _runs = new(StringComparer.Ordinal);

    public Task AddAsync(string run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(run);
        _runs.Add(run);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string run)
    {
        _runs.Remove(run);
        return Task.CompletedTask;
    }

    public Task<string[]> GetRunsAsync() => Task.FromResult(_runs.ToArray());
}
