using System.Runtime.InteropServices;

namespace Sluice.Simulator;

/// <summary>The runnable simulator: prints its base URL as the first line, runs until SIGTERM/Ctrl-C or <c>--max-seconds</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(CommandLine.Usage());
            return 0;
        }
        SimulatorOptions options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (CommandLineException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }

        SimulatorHost host;
        try
        {
            host = await SimulatorHost.StartAsync(options);
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine("error: --rules: " + ex.Message);
            return 2;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"error: --port: cannot listen on 127.0.0.1:{options.Port}: {ex.Message}");
            return 2;
        }

        await using (host)
        {
            Console.WriteLine(host.BaseAddress.ToString().TrimEnd('/'));
            Console.Out.Flush();
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.TrySetResult();
            }
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            var finished = options.MaxSeconds > 0 ? Task.Delay(TimeSpan.FromSeconds(options.MaxSeconds)) : Task.Delay(Timeout.Infinite);
            await Task.WhenAny(stop.Task, finished);
        }
        return 0;
    }
}
