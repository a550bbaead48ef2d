using Orleans.Concurrency;

namespace Sluice.Cluster.Runs;

/// <summary>
/// The sharded runs that have shards left, where workers look for work (one registry, key 0). It is soft state: a
/// coordinator adds its run whenever it is asked for its status or activated with work left, so a registry reactivated
/// on another silo fills again within one status poll. Idle workers wait on it (<see cref="WaitForRunsAsync"/>), so a
/// run submitted to an idle cluster reaches every worker at once, not at its next poll.
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

    /// <summary>The runs listed now or, when there are none, as soon as one is listed, waiting at most
    /// <paramref name="longest"/> (then none). Interleaved with the registry's other calls, so a wait never holds
    /// up a listing.</summary>
    /// <param name="longest">The longest wait; <see cref="TimeSpan.Zero"/> answers at once, as
    /// <see cref="GetRunsAsync"/>. Keep it well under the cluster's response timeout (30 s by default).</param>
    /// <returns>Their keys; empty when none was listed within <paramref name="longest"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="longest"/> is negative.</exception>
    [Alias("WaitForRuns")]
    [AlwaysInterleave]
    Task<string[]> WaitForRunsAsync(TimeSpan longest);
}
