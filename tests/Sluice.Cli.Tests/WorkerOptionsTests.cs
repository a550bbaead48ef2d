using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Sluice.Cluster.Hosting;
using Sluice.Testing;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice worker</c>'s options as they reach the silo it builds (the host is built, not started).</summary>
public sealed class WorkerOptionsTests
{
    private static readonly SluiceClusterAddress Cluster = SluiceClusterAddress.Parse("redis://127.0.0.1:6379");

    [Fact]
    public void Quick_failure_detection_tunes_the_silos_membership_and_is_off_by_default()
    {
        using var quick = WorkerCommand.BuildHost(Cluster, IPAddress.Loopback, 11111, 30000, quickFailureDetection: true);
        using var plain = WorkerCommand.BuildHost(Cluster, IPAddress.Loopback, 11111, 30000, quickFailureDetection: false);

        var tuned = quick.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var defaults = plain.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal((2, 1, TimeSpan.FromSeconds(1)), (tuned.NumMissedProbesLimit, tuned.NumVotesForDeathDeclaration, tuned.ProbeTimeout));
        Assert.Equal(new ClusterMembershipOptions().ProbeTimeout, defaults.ProbeTimeout);
        Assert.Equal(new ClusterMembershipOptions().NumVotesForDeathDeclaration, defaults.NumVotesForDeathDeclaration);
    }

    [Fact]
    public async Task The_help_of_sluice_worker_names_the_quick_failure_detection_switch()
    {
        var help = await Cli.RunAsync(Files.TempDirectory(), null, "worker", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--quick-failure-detection", help.Stdout, StringComparison.Ordinal);
    }
}
