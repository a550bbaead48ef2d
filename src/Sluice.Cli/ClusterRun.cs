using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.BatchFiles;
using Sluice.Cluster.Hosting;
using Sluice.Cluster.Runs;

namespace Sluice.Cli;

/// <summary><c>sluice run --cluster redis://host:port</c>: submits the run to a Sluice cluster (the silos that
/// <c>sluice worker</c> started) and follows it until its output files are in place. The shards run on the workers, on
/// the same engine, client stack and journal as a local run, and draw from the cluster's budget, so <c>--rpm</c> and
/// <c>--tpm</c> hold for all of them together. The verb only maps its options and shows progress; the run is
/// <see cref="ShardedRun"/>'s.</summary>
internal static class ClusterRun
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>The options a sharded run does not take yet, by name, with the reason printed when one is given.</summary>
    public static readonly string[] NotWithCluster = ["--max-cost", "--prices", "--cache", "--retry-errors", "--skip-invalid", "--dry-run", "--shared-budget", "--input-tpm", "--output-tpm"];

    public static async Task<int> RunAsync(string clusterText, ShardedRunOptions run, CancellationToken cancellationToken)
    {
        SluiceClusterAddress address;
        try
        {
            address = SluiceClusterAddress.Parse(clusterText);
        }
        catch (FormatException ex)
        {
            return Fail("--cluster: " + ex.Message);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical); // the verb says what matters
        builder.UseOrleansClient(client => client.UseSluiceCluster(address));
        using var host = builder.Build();
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30), TimeProvider.System);
            using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
            await host.StartAsync(connecting.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Fail($"--cluster: cannot reach a Sluice cluster at {address} (start workers with: sluice worker --cluster {address}): {ex.GetType().Name}: {ex.Message.Split('\n', 2)[0]}");
        }

        var grains = (IClusterClient)host.Services.GetService(typeof(IClusterClient))!;
        ShardedRunStatus submitted;
        try
        {
            submitted = await ShardedRun.SubmitAsync(grains, run, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchRunRefusedException ex)
        {
            Console.Error.WriteLine("sluice: " + ex.Message);
            foreach (string reason in ex.Reasons)
            {
                Console.Error.WriteLine("  - " + reason);
            }

            return ExitCodes.InvalidInput;
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }

        Console.Error.WriteLine($"sluice: submitted to the cluster at {address}: {submitted.Shards:N0} shards ({submitted.Committed:N0} already committed)");
        using var signals = new StopSignals(message => Console.Error.WriteLine("sluice: " + message), "stopping: the run goes on in the cluster; this command stops following it");
        long lastShown = 0;
        var progress = new Progress<ShardedRunStatus>(status =>
        {
            long now = TimeProvider.System.GetTimestamp();
            if (lastShown == 0 || TimeProvider.System.GetElapsedTime(lastShown, now) >= RunCommand.StatusInterval() || status.Finished)
            {
                lastShown = now;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sluice: {status.Committed:N0}/{status.Shards:N0} shards committed, {status.Leases.Count} running on {status.Leases.Select(l => l.Holder).Distinct().Count()} workers"));
            }
        });

        ShardedRunStatus final;
        try
        {
            final = await ShardedRun.WaitAsync(grains, run.OutputPath, Poll, progress, cancellationToken: signals.Stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signals.Stop.IsCancellationRequested)
        {
            Console.Out.WriteLine("sluice: stopped following; the run goes on in the cluster. To follow it again, run the same command.");
            return ExitCodes.Interrupted;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sluice: finished on the cluster: {final.OutputLines:N0} succeeded, {final.ErrorLines:N0} failed"));
        Console.Out.WriteLine($"sluice: output {run.OutputPath}; errors {final.ErrorsPath}");
        return final.ErrorLines is > 0 ? ExitCodes.FinishedWithFailures : ExitCodes.Success;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
