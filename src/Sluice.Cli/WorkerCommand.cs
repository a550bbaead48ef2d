using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Sluice.Cluster.Hosting;

namespace Sluice.Cli;

/// <summary><c>sluice worker</c>: this machine joins a Sluice cluster as an Orleans silo with a shard worker, and runs
/// the shards of the sharded runs submitted to the cluster until stopped. The verb only reads its options; the silo's
/// set-up is <see cref="SluiceCluster"/>'s, the work <c>Sluice.Cluster.Runs</c>'.</summary>
internal static class WorkerCommand
{
    private const string Examples = """
        Examples:
          sluice worker --cluster redis://10.0.0.5:6379                       one per machine; the defaults suit most
          sluice worker --cluster redis://10.0.0.5:6379 --advertise 10.0.0.7  when the host name resolves elsewhere
          sluice worker --cluster redis://127.0.0.1:6379 --silo-port 11112 --gateway-port 30001   a second one on this machine
          sluice worker --cluster redis://10.0.0.5:6379 --quick-failure-detection   a killed worker's shards move in seconds
        """;

    private const string ExitCodesHelp = """
        Exit codes:
          0    stopped by Ctrl+C or SIGTERM: the shards in hand were drained, journalled and handed back
          1    the silo could not start (the cluster's Redis unreachable, a port taken) or stopped on its own
          2    a bad option (the message names it)
        """;

    private static readonly Option<string> ClusterAddress = new("--cluster") { Description = "The cluster's membership store: redis://host:port (every worker and submitter names the same one).", Required = true };
    private static readonly Option<int> SiloPort = new("--silo-port") { Description = "The port other silos reach this one at.", DefaultValueFactory = _ => SluiceCluster.DefaultSiloPort };
    private static readonly Option<int> GatewayPort = new("--gateway-port") { Description = "The port clients (submitters) connect to.", DefaultValueFactory = _ => SluiceCluster.DefaultGatewayPort };
    private static readonly Option<string?> Advertise = new("--advertise") { Description = "The IP address other machines reach this one at [default: what the host name resolves to]." };
    private static readonly Option<bool> QuickFailureDetection = new("--quick-failure-detection")
    {
        Description = "Declare a killed worker dead within a few seconds instead of about a minute, so its shards go to the others at once. For a cluster on one fast network: a pause of more than a second may get a live worker declared dead (its shards then run again elsewhere; the output stays exact). Give it to every worker.",
    };

    public static Command Create()
    {
        var command = new Command("worker", "Join a Sluice cluster and run shards of the runs submitted to it (a sharded run's input and output must be on a path every worker shares; see docs/cluster.md).\n\n" + Examples + "\n" + ExitCodesHelp);
        foreach (Option option in new Option[] { ClusterAddress, SiloPort, GatewayPort, Advertise, QuickFailureDetection })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        SluiceClusterAddress address;
        try
        {
            address = SluiceClusterAddress.Parse(parse.GetValue(ClusterAddress)!);
        }
        catch (FormatException ex)
        {
            return Fail("--cluster: " + ex.Message);
        }

        int siloPort = parse.GetValue(SiloPort), gatewayPort = parse.GetValue(GatewayPort);
        if (siloPort is < 1 or > 65535 || gatewayPort is < 1 or > 65535 || siloPort == gatewayPort)
        {
            return Fail(siloPort == gatewayPort
                ? $"--silo-port and --gateway-port must differ; both were {siloPort}."
                : $"--silo-port and --gateway-port must be ports from 1 to 65535; they were {siloPort} and {gatewayPort}.");
        }

        IPAddress? advertised = null;
        if (parse.GetValue(Advertise) is { } advertise && !IPAddress.TryParse(advertise, out advertised))
        {
            return Fail($"--advertise: expected an IP address such as 10.0.0.7; it was '{advertise}'.");
        }

        using var host = BuildHost(address, advertised, siloPort, gatewayPort, parse.GetValue(QuickFailureDetection));
        using var signals = new StopSignals(message => Console.Error.WriteLine("sluice: " + message), "stopping: the shards in hand drain and are handed back (Ctrl+C again to quit at once)");
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"sluice: the worker could not join the cluster at {address}: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.RunFailed;
        }

        var silo = host.Services.GetRequiredService<ILocalSiloDetails>();
        Console.Out.WriteLine($"sluice: worker {silo.SiloAddress} joined the cluster at {address}; Ctrl+C to stop");
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stoppedOnItsOwn = new TaskCompletionSource();
        using var stopping = lifetime.ApplicationStopping.Register(() => stoppedOnItsOwn.TrySetResult());
        var stop = new TaskCompletionSource();
        using var asked = signals.Stop.Register(() => stop.TrySetResult());
        bool onItsOwn = await Task.WhenAny(stop.Task, stoppedOnItsOwn.Task).ConfigureAwait(false) == stoppedOnItsOwn.Task && !signals.Stop.IsCancellationRequested;
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Console.Out.WriteLine(onItsOwn ? "sluice: the worker's silo stopped on its own" : "sluice: worker stopped");
        return onItsOwn ? ExitCodes.RunFailed : ExitCodes.Success;
    }

    /// <summary>The worker's host, not started: a Sluice silo (<see cref="SluiceCluster.UseSluiceCluster(ISiloBuilder, SluiceClusterAddress, IPAddress?, int, int, Action{Sluice.Cluster.Runs.ShardWorkerOptions}?)"/>),
    /// with <see cref="SluiceCluster.UseQuickFailureDetection"/> when <paramref name="quickFailureDetection"/>, logging
    /// its shards to standard error with the time of day.</summary>
    internal static IHost BuildHost(SluiceClusterAddress address, IPAddress? advertised, int siloPort, int gatewayPort, bool quickFailureDetection)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.AddSimpleConsole(options => (options.SingleLine, options.TimestampFormat) = (true, "HH:mm:ss.fff "));
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Sluice", LogLevel.Information);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // not the notes about server GC
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error); // at start-up it warns of a check "not completed for" hours, on every start
        builder.Services.AddSingleton<IHostLifetime, SignalsAreOurs>(); // Ctrl+C is StopSignals' business, as in every verb
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMinutes(2));
        builder.UseOrleans(silo =>
        {
            silo.UseSluiceCluster(address, advertised, siloPort, gatewayPort);
            if (quickFailureDetection)
            {
                silo.UseQuickFailureDetection();
            }
        });
        return builder.Build();
    }

    /// <summary>A host lifetime that leaves Ctrl+C and SIGTERM alone: the host stops when the verb stops it, or when the
    /// silo stops itself (declared dead by the cluster, say).</summary>
    internal sealed class SignalsAreOurs : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
