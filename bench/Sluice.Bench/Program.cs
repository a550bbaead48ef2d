using Sluice.Bench;

// Sluice's benchmark harness: one JSON line per case on stdout, human notes on stderr.
// Usage: dotnet run -c Release --project bench/Sluice.Bench -- <suite> [--quick]
//   engine             scheduler efficiency, per-item overhead, streaming memory
//   throughput         chat efficiency, rate-limit adherence, adaptive vs fixed concurrency (against the simulator)
//   eval               BatchEvalRunner against the simulator and in-process
//   all                every suite above
//   faults             engine alone with a raw HttpClient against a faulty simulator: ordered vs unordered (not in all)
//   embeddings         local MiniLM generator vs a bare ONNX loop, SentenceEncoder, fixed group sizes (not in all)
//   embeddings-sizer   adaptive group size vs token limits and fixed sizes, 2,000 texts (not in all)
//   index              vector index search, SearchMany, int8, 1M-row memory (not in all)
//   query              QueryManyAsync vs one QueryAsync at a time, retrieval only, local model (not in all)
//   defaults           what the defaults give under faults and limits: faults vs a plain worker pool, adaptive vs
//                      fixed, 429s with a learned limit, cold start, client memory (not in all)
//   cli                the sluice command as a child process: 100k lines at 50 ms at --concurrency 256 and auto vs the bound,
//                      peak memory at 100k and 1M lines, the resume of 1M journalled lines (not in all)
//   ingest             ingestion of a generated corpus vs bare embeddings of its chunks, re-ingestion, peak memory (not in all)
//   budget             shared rate budget: lease grants/s of the budget grain (3 silos) and the Redis script; three
//                      holders of one key alone vs sharing it, sent ÷ limit at the simulator (not in all)
//   cluster            sharded runs on 1, 2, 3 in-process silos vs a local run of the same file (not in all)
//   cluster-processes  the same with 1, 2, 3 `sluice worker` processes and redis-server, and under one binding --rpm (not in all)
//   memory <items>     one streaming-memory case in this process (the engine suite starts these as child processes)
//   fixed-work unordered|ordered <items>   warm-up, then <items> once: for counting instructions under callgrind
var arguments = args.ToList();
bool quick = arguments.Remove("--quick");
string suite = arguments.Count > 0 ? arguments[0] : "engine";

switch (suite)
{
    case "engine":
        await EngineBench.RunAsync(quick);
        return 0;
    case "throughput":
        SizePoolForInProcessSimulator();
        await ThroughputBench.RunAsync(quick);
        return 0;
    case "eval":
        SizePoolForInProcessSimulator();
        await EvalBench.RunAsync(quick);
        return 0;
    case "all":
        await EngineBench.RunAsync(quick);
        SizePoolForInProcessSimulator();
        await ThroughputBench.RunAsync(quick);
        await EvalBench.RunAsync(quick);
        return 0;
    case "defaults":
        SizePoolForInProcessSimulator();
        await DefaultsBench.RunAsync(quick);
        return 0;
    case "client-memory" when arguments.Count > 1:
        DefaultsBench.ReportClientMemory(arguments[1]);
        return 0;
    case "faults":
        SizePoolForInProcessSimulator();
        await FaultBench.RunAsync(quick);
        return 0;
    case "embeddings":
        await EmbeddingBench.RunAsync(quick);
        return 0;
    case "index":
        await IndexBench.RunAsync(quick);
        return 0;
    case "cli":
        await CliBench.RunAsync(quick);
        return 0;
    case "cli-plain" when arguments.Count > 3:
        return await PlainClientCase.RunChildAsync([.. arguments.Skip(1)]);
    case "cli-rusage" when arguments.Count > 1:
        return await CliBench.RunWithUsageAsync([.. arguments.Skip(1)]);
    case "ingest":
        await IngestBench.RunAsync(arguments, quick);
        return 0;
    case "query":
        await QueryBench.RunAsync(quick);
        return 0;
    case "index-memory" when arguments.Count > 1:
        IndexBench.RunMemoryCase(arguments[1]);
        return 0;
    case "memory" when arguments.Count > 1 && long.TryParse(arguments[1], out long items) && items > 0:
        await StreamingMemoryCase.RunInThisProcessAsync(items);
        return 0;
    case "embeddings-sizer":
        await EmbeddingSizerBench.RunAsync(quick);
        return 0;
    case "budget":
        SizePoolForInProcessSimulator();
        await BudgetBench.RunAsync(quick);
        return 0;
    case "cluster":
        SizePoolForInProcessSimulator();
        await ClusterBench.RunAsync(quick);
        return 0;
    case "cluster-processes":
        SizePoolForInProcessSimulator();
        await ClusterProcessesBench.RunAsync(quick);
        return 0;
    case "fixed-work" when arguments.Count > 2 && int.TryParse(arguments[2], out int fixedItems) && fixedItems >= 0:
        await EngineFixedWorkCase.RunInThisProcessAsync(arguments[1] == "ordered", fixedItems);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown suite or bad arguments: '{string.Join(' ', args)}'. Suites: engine, throughput, eval, all, faults, defaults, embeddings, embeddings-sizer, index, cli, ingest, query, budget, cluster, cluster-processes [--quick].");
        return 2;
}

// The simulator runs in this process beside the clients. With the pool's default minimum (one thread per core)
// both sides stall while the pool slowly injects threads; a separate provider process would never see that.
static void SizePoolForInProcessSimulator()
{
    ThreadPool.GetMinThreads(out int workers, out int io);
    ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
}
