using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.BatchFiles;
using Sluice.Cluster.Hosting;
using Sluice.Cluster.Runs;

namespace Sluice.Cli;

/// <summary><c>sluice run --cluster redis://host:port</c>: submits the run to a Sluice cluster (the silos that
/// <c>sluice worker</c> started) and follows it until its output files are in place. The shards run on the workers, on
/// the same engine, client stack and journal as a local run, and draw from the cluster's budget, so <c>--rpm</c>,
/// <c>--tpm</c>, <c>--input-tpm</c> and <c>--output-tpm</c> hold for all of them together, as <c>--max-cost</c> holds
/// for the whole run. The verb only maps its options and shows progress; the run is
/// <see cref="ShardedRun"/>'s.</summary>
internal static class ClusterRun
{
    /// <summary>The longest wait of one call for the run's status (<see cref="ShardedRun.WaitAsync"/>): the progress
    /// shown is at most this old; the end is seen as soon as the final files are in place, whatever this is.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>The <c>--cluster</c> value that starts an embedded cluster (one silo in this process, no Redis)
    /// instead of naming one.</summary>
    public const string Embedded = "embedded";

    public static async Task<int> RunAsync(string clusterText, ShardedRunOptions run, CancellationToken cancellationToken)
    {
        bool embedded = clusterText == Embedded;
        SluiceClusterAddress? address = null;
        try
        {
            address = embedded ? null : SluiceClusterAddress.Parse(clusterText);
        }
        catch (FormatException ex)
        {
            return Fail($"--cluster: {ex.Message} (or '{Embedded}': one silo in this process)");
        }

        string where = address is null ? "an embedded cluster (one silo in this process)" : $"the cluster at {address}";
        using var host = address is null ? BuildEmbeddedHost() : BuildClientHost(address);

        // The client connects (most of it is the JIT of Orleans' client) while the input is validated.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30), TimeProvider.System);
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var connect = ConnectAsync(host, connecting.Token);
        ShardedRunStatus submitted;
        try
        {
            submitted = await ShardedRun.SubmitWhileConnectingAsync(connect, run, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchRunRefusedException ex)
        {
            await StopConnectingAsync(connect, connecting).ConfigureAwait(false);
            Console.Error.WriteLine("sluice: " + ex.Message);
            foreach (string reason in ex.Reasons)
            {
                Console.Error.WriteLine("  - " + reason);
            }

            return ExitCodes.InvalidInput;
        }
        catch (ArgumentException ex) when (!connect.IsFaulted)
        {
            await StopConnectingAsync(connect, connecting).ConfigureAwait(false);
            return Fail(ex.Message);
        }
        catch (Exception ex) when (address is null && (connect.IsFaulted || (connect.IsCanceled && !cancellationToken.IsCancellationRequested)))
        {
            Console.Error.WriteLine($"sluice: the embedded cluster did not start: {ex.GetType().Name}: {ex.Message.Split('\n', 2)[0]}");
            return ExitCodes.RunFailed;
        }
        catch (Exception ex) when (connect.IsFaulted || (connect.IsCanceled && !cancellationToken.IsCancellationRequested))
        {
            return Fail($"--cluster: cannot reach a Sluice cluster at {address} (start workers with: sluice worker --cluster {address}): {ex.GetType().Name}: {ex.Message.Split('\n', 2)[0]}");
        }

        var grains = await connect.ConfigureAwait(false);
        Console.Error.WriteLine($"sluice: submitted to {where}: {submitted.Shards:N0} shards ({submitted.Committed:N0} already committed)");
        using var signals = new StopSignals(message => Console.Error.WriteLine("sluice: " + message), address is null
            ? "stopping: the shards in hand finish what is in flight, journal it and are handed back (Ctrl+C again to quit at once)"
            : "stopping: the run goes on in the cluster; this command stops following it");

        // The same display, timeline and summary as a local run, from the counts the coordinator adds up over the
        // shards; what was done before this command started following counts as resumed.
        var directory = RunDirectory.ForOutput(run.OutputPath);
        var since = submitted.Items;
        var latest = submitted;
        long following = TimeProvider.System.GetTimestamp();
        BatchRunSnapshot Read() => Volatile.Read(ref latest).Items.ToSnapshot(since, TimeProvider.System.GetElapsedTime(following));
        var timeline = await StartTimelineAsync(directory, Read, cancellationToken).ConfigureAwait(false);
        var wait = ShardedRun.WaitAsync(grains, run.OutputPath, Poll, new Reporter(status => Volatile.Write(ref latest, status)), cancellationToken: signals.Stop);
        await ProgressDisplay.ForStandardError(Read, () => Volatile.Read(ref latest).Items.NotSent > 0).ShowUntilAsync(wait).ConfigureAwait(false);

        ShardedRunStatus final;
        var stopping = Task.CompletedTask;
        bool finished = false, stopped = false;
        try
        {
            final = await wait.ConfigureAwait(false);
            Volatile.Write(ref latest, final);
            if (timeline is not null && LatencySince(final.Items, since) is { } latencies)
            {
                timeline.Latency.Add(latencies); // this session's: the report adds the sessions up
            }

            finished = true;
        }
        catch (OperationCanceledException) when (signals.Stop.IsCancellationRequested)
        {
            if (address is null)
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false); // the shards in hand drain first
                stopped = true;
                Console.Out.WriteLine("sluice: stopped: " + ProgressDisplay.StatusLine(Read()));
                Console.Out.WriteLine("sluice: what was done is committed or journalled. To go on, run the same command.");
            }
            else
            {
                Console.Out.WriteLine("sluice: stopped following: " + ProgressDisplay.StatusLine(Read()));
                Console.Out.WriteLine("sluice: the run goes on in the cluster. To follow it again, run the same command.");
            }

            return ExitCodes.Interrupted;
        }
        finally
        {
            // The client says goodbye to the cluster (an embedded cluster stops) while the timeline and, once
            // finished, the summary are written.
            if (!stopped)
            {
                stopping = host.StopAsync(CancellationToken.None);
            }

            if (timeline is not null)
            {
                await timeline.DisposeAsync().ConfigureAwait(false);
            }

            if (!finished)
            {
                await stopping.ConfigureAwait(false);
            }
        }

        var counts = Read();
        var outcome = final.ErrorLines is > 0 ? BatchRunOutcome.CompletedWithFailures : BatchRunOutcome.Succeeded;
        try
        {
            await directory.WriteSummaryAsync(outcome, run.InputPath, final.ErrorsPath, final.OutputLines, final.ErrorLines, counts, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"sluice: {directory.SummaryPath} could not be written ({ex.Message}); the output files are complete.");
        }
        finally
        {
            await stopping.ConfigureAwait(false);
        }

        Console.Out.WriteLine((address is null ? "sluice: finished on the embedded cluster: " : "sluice: finished on the cluster: ") + ProgressDisplay.StatusLine(counts));
        if (LatencyLine(final.Items) is { } latency)
        {
            Console.Out.WriteLine(latency);
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sluice: {final.OutputLines:N0} succeeded, {final.ErrorLines:N0} failed; output {directory.OutputPath}; errors {final.ErrorsPath}; summary {directory.SummaryPath}"));
        RunCommand.ReportNotSent(final.Items.NotSent, run.MaxCost);
        return outcome == BatchRunOutcome.Succeeded ? ExitCodes.Success : ExitCodes.FinishedWithFailures;
    }

    /// <summary>The run's request latency percentiles over all its workers (<see cref="ShardedRunCounts.RequestLatency"/>),
    /// each the upper bound of its histogram bucket, as <c>sluice report</c> gives a local run's; <see langword="null"/>
    /// when no worker sent its latencies (a cluster of an earlier version).</summary>
    internal static string? LatencyLine(ShardedRunCounts counts)
    {
        if (counts.RequestLatency is not { } histogram || histogram.Sum() == 0)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"sluice: request latency p50 ≤ {At(0.50)}, p90 ≤ {At(0.90)}, p99 ≤ {At(0.99)} ({histogram.Sum():N0} requests, all workers)");

        string At(double fraction) => counts.RequestLatencyAtMost(fraction) is { } at && at != TimeSpan.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{at.TotalMilliseconds:0.#} ms")
            : "more than 1,000 s";
    }

    /// <summary>The request latencies the workers committed since this command started following the run (those of
    /// shards committed before it belong to an earlier session); <see langword="null"/> when none were sent.</summary>
    private static long[]? LatencySince(ShardedRunCounts now, ShardedRunCounts before)
    {
        if (now.RequestLatency is not { Count: > 0 } total || total.Count != LatencyHistogram.BoundsMilliseconds.Count + 1)
        {
            return null;
        }

        return [.. total.Select((count, i) => Math.Max(0, count - (before.RequestLatency is { } earlier && i < earlier.Count ? earlier[i] : 0)))];
    }

    /// <summary>The run directory's timeline, sampled from the cluster's counts while this command follows the run
    /// (each following is a session, as each resume of a local run is); a diagnostic, so a file that cannot be opened
    /// leaves the run without one.</summary>
    private static async Task<RunTimeline?> StartTimelineAsync(RunDirectory directory, Func<BatchRunSnapshot> read, CancellationToken cancellationToken)
    {
        try
        {
            return await RunTimeline.StartAsync(directory.TimelinePath, read, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"sluice: no timeline for the report: {directory.TimelinePath} cannot be written ({ex.Message})");
            return null;
        }
    }

    /// <summary>A client of the cluster at <paramref name="address"/>, not connected.</summary>
    private static IHost BuildClientHost(SluiceClusterAddress address)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical); // the verb says what matters
        builder.UseOrleansClient(client => client.UseSluiceCluster(address));
        return builder.Build();
    }

    /// <summary>An embedded cluster, not started: one silo with a shard worker (<see cref="SluiceCluster.UseEmbeddedSluiceCluster"/>)
    /// on a loopback port free when it is chosen; its own client is the one the run is submitted through. Ctrl+C is
    /// the verb's (<see cref="StopSignals"/>); stopping the host drains the shards in hand, as stopping a worker does.</summary>
    private static IHost BuildEmbeddedHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical); // the verb says what matters
        builder.Services.AddSingleton<IHostLifetime, WorkerCommand.SignalsAreOurs>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMinutes(2));
        int siloPort = FreeLoopbackPort();
        builder.UseOrleans(silo => silo.UseEmbeddedSluiceCluster(siloPort));
        return builder.Build();
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<IGrainFactory> ConnectAsync(IHost host, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the validation starts at once, on the caller's thread
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The input was refused while the client connected: the connection is abandoned before the host goes.</summary>
    private static async Task StopConnectingAsync(Task connect, CancellationTokenSource connecting)
    {
        await connecting.CancelAsync().ConfigureAwait(false);
        try
        {
            await connect.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Not connecting was the point.
        }
    }

    /// <summary>Keeps each status as it arrives, on the caller's thread (no synchronization context to post to).</summary>
    private sealed class Reporter(Action<ShardedRunStatus> report) : IProgress<ShardedRunStatus>
    {
        public void Report(ShardedRunStatus value) => report(value);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
