using Sluice.Bench;

// Sluice's benchmark harness: one JSON line per case on stdout, human notes on stderr.
// Usage: dotnet run -c Release --project bench/Sluice.Bench -- <suite> [--quick]
//   engine             scheduler efficiency, per-item overhead, streaming memory (issue: the engine)
//   memory <items>     one streaming-memory case in this process (the engine suite starts these as child processes)
var arguments = args.ToList();
bool quick = arguments.Remove("--quick");
string suite = arguments.Count > 0 ? arguments[0] : "engine";
switch (suite)
{
    case "engine":
        await EngineBench.RunAsync(quick);
        return 0;
    case "memory" when arguments.Count > 1 && long.TryParse(arguments[1], out long items) && items > 0:
        await StreamingMemoryCase.RunInThisProcessAsync(items);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown suite or bad arguments: '{string.Join(' ', args)}'. Suites: engine [--quick], memory <items>.");
        return 2;
}
