namespace Sluice.Cluster.Runs;

/// <summary>
/// The sharded runs that have shards left, where workers look for work (one registry, key 0). It is soft state: a
/// coordinator adds its run whenever it is asked for its status or activated with work left, so a registry reactivated
/// on another silo fills again within one status poll.
/// </summary>
[Alias("Sluice.Cluster.Runs.IRunRegistryGrain")]
public interface IRunRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Lists a run (idempotent).</summary>
    /// <param name="run">The run's key.</param>
    /// <returns>A task that completes when listed.</returns>
    [Alias("Add")]
    Task AddAsync(string run);

    /// <summary>Removes a run (idempotent).</summary>
    /// <param name="run">The run's key.</param>
    /// <returns>A task that completes when removed.</returns>
    [Alias("Remove")]
    Task RemoveAsync(string run);

    /// <summary>The runs listed now.</summary>
    /// <returns>Their keys.</returns>
    [Alias("GetRuns")]
    Task<string[]> GetRunsAsync();
}
