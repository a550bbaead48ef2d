using System.CommandLine;
using Sluice.Cli;

// sluice: batch LLM work from the command line. Each verb reads its options and calls library code.
if (args.Length > 0 && args[0] == "simulate")
{
    // The simulator's own command line, unchanged (sluice simulate --help lists it).
    return await Sluice.Simulator.Program.Main(args[1..]);
}

var root = new RootCommand("sluice: batch LLM workloads at the provider's limit, resumable, with nothing lost.\n\n" + ExitCodes.VerbsHelp)
{
    RunCommand.Create(),
    new Command("simulate", "Run the OpenAI-compatible load and fault simulator on 127.0.0.1 (sluice simulate --help lists its options)."),
    EmbedCommand.Create(),
    IngestCommand.Create(),
    QueryCommand.Create(),
    EvalCommand.Create(),
    BenchCommand.Create(),
    ReportCommand.Create(),
    WorkerCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine("sluice: " + error.Message);
    }

    Console.Error.WriteLine("sluice: see 'sluice --help' or 'sluice run --help'.");
    return ExitCodes.InvalidInput;
}

// Ctrl+C is the run's own business (drain, then resume); System.CommandLine must not cancel on it.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
