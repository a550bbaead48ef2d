using System.CommandLine;
using System.Globalization;
using Sluice.AI;
using Sluice.BatchFiles;
using Sluice.Cluster.Runs;

namespace Sluice.Cli;

/// <summary><c>sluice run</c>: an OpenAI Batch API file against any OpenAI-compatible endpoint. The verb only reads its
/// options and shows progress; validation, sending, the journal and the output files are
/// <see cref="BatchFileRunner"/>'s.</summary>
internal static class RunCommand
{
    private static readonly Option<FileInfo> Input = new("--input", "-i") { Description = "The requests: one JSON line per request (OpenAI Batch API format).", Required = true };
    private static readonly Option<FileInfo> Output = new("--output", "-o") { Description = "Where successes go; the run directory <output>.sluice/ sits beside it.", Required = true };
    private static readonly Option<FileInfo?> Errors = new("--errors") { Description = "Where failures go [default: the output path with .errors.jsonl in place of .jsonl]." };
    private static readonly Option<string?> BaseUrl = new("--base-url") { Description = "The API base as an OpenAI client takes it, /v1 included (e.g. http://127.0.0.1:8080/v1). Required unless --dry-run." };
    private static readonly Option<string> ApiKeyEnv = new("--api-key-env") { Description = "The environment variable that holds the API key (the key is never printed or stored).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
    private static readonly Option<bool> NoApiKey = new("--no-api-key") { Description = "Send no API key (a local server that needs none)." };
    private static readonly Option<string> Concurrency = new("--concurrency") { Description = "Requests in flight: a number, or auto (adaptive: learns the provider's capacity).", DefaultValueFactory = _ => "auto" };
    private static readonly Option<int?> Rpm = new("--rpm") { Description = "Requests per minute the provider allows [default: learned from x-ratelimit headers]." };
    private static readonly Option<int?> Tpm = new("--tpm") { Description = "Tokens per minute the provider allows [default: learned from x-ratelimit headers]." };
    private static readonly Option<int?> InputTpm = new("--input-tpm") { Description = "Input tokens per minute, for providers that limit input and output apart (Anthropic's ITPM)." };
    private static readonly Option<int?> OutputTpm = new("--output-tpm") { Description = "Output tokens per minute (Anthropic's OTPM); a request's output counts at its max_tokens." };
    private static readonly Option<int> MaxAttempts = new("--max-attempts") { Description = "Attempts per request, the first and every retry (429s included).", DefaultValueFactory = _ => 6 };
    private static readonly Option<double> Timeout = new("--timeout") { Description = "Seconds one attempt may take (decimals allowed).", DefaultValueFactory = _ => 60 };
    private static readonly Option<decimal?> MaxCost = new("--max-cost") { Description = "Dollars: stop admitting requests when the estimated spend would pass it (needs --prices)." };
    private static readonly Option<FileInfo?> Prices = new("--prices") { Description = "Price table: {\"models\": {\"<model>\": {\"input_per_1m\": 0.15, \"output_per_1m\": 0.60}}}." };
    private static readonly Option<DirectoryInfo?> Cache = new("--cache") { Description = "Answer identical deterministic requests (temperature 0 or a seed; embeddings) from this directory." };
    private static readonly Option<bool> Ordered = new("--ordered") { Description = "Write the output files in input order (default: completion order)." };
    private static readonly Option<bool> SkipInvalid = new("--skip-invalid") { Description = "Send the valid lines; write the invalid ones to the errors file." };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Validate and estimate requests, tokens and cost; send nothing." };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in the run directory; nothing it finished is sent again." };
    private static readonly Option<bool> RetryErrors = new("--retry-errors") { Description = "With --resume: send again the items that failed." };
    private static readonly Option<string?> SharedBudget = new("--shared-budget") { Description = "Share the key's limits with every other process that names this Redis server (redis://host:port): together they keep --rpm/--tpm (or the limits the provider announces). A password is read from SLUICE_REDIS_PASSWORD." };
    private static readonly Option<string?> ClusterAddress = new("--cluster") { Description = "Submit the run to a Sluice cluster (redis://host:port, the address its workers name) and follow it: its shards run on every worker, under one budget. The input and output must be on a path every worker shares; the workers read the API key variable. 'embedded' runs the same sharded run on one silo in this process (no Redis, nothing to deploy)." };
    private static readonly Option<bool> NoFsync = new("--no-fsync") { Description = "Journal to the operating system only (survives kill -9, not power loss); faster on slow disks." };

    private const string Examples = """
        Examples:
          sluice run -i requests.jsonl -o results.jsonl --base-url http://127.0.0.1:8080/v1 --no-api-key
          sluice run -i requests.jsonl -o results.jsonl --base-url https://api.openai.com/v1 --rpm 5000 --tpm 2000000
          sluice run -i requests.jsonl -o results.jsonl --base-url https://api.openai.com/v1 --resume     # after Ctrl+C or kill -9
          sluice run -i part1.jsonl -o out1.jsonl --base-url … --rpm 5000 --shared-budget redis://10.0.0.5:6379  # one key, several processes
          sluice run -i /shared/in.jsonl -o /shared/out.jsonl --base-url … --rpm 5000 --cluster redis://10.0.0.5:6379  # on the workers of a cluster
          sluice run -i in.jsonl -o out.jsonl --base-url … --cluster embedded              # the cluster's path, on one silo in this process
        """;

    public static Command Create()
    {
        var command = new Command("run", "Send an OpenAI Batch API file to any OpenAI-compatible endpoint at the provider's limit; resumable after kill -9.\n\n" + Examples + "\n\n" + ExitCodes.Help);
        foreach (Option option in new Option[] { Input, Output, Errors, BaseUrl, ApiKeyEnv, NoApiKey, Concurrency, Rpm, Tpm, InputTpm, OutputTpm, MaxAttempts, Timeout, MaxCost, Prices, Cache, Ordered, SkipInvalid, DryRun, Resume, RetryErrors, SharedBudget, ClusterAddress, NoFsync })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string input = parse.GetValue(Input)!.FullName;
        string output = parse.GetValue(Output)!.FullName;
        if (!File.Exists(input))
        {
            return Fail($"--input: no such file: {input}");
        }

        string errorsPath = parse.GetValue(Errors)?.FullName ?? RunDirectory.ForOutput(output).DefaultErrorsPath;
        if (PathsEqual(output, input) || PathsEqual(errorsPath, input))
        {
            return Fail("--output and --errors must not be the input file: the run would replace its own input.");
        }

        if (PathsEqual(output, errorsPath))
        {
            return Fail("--output and --errors must be different files.");
        }

        PriceTable? prices = null;
        if (parse.GetValue(Prices) is { } pricesFile)
        {
            try
            {
                prices = PriceTable.Load(pricesFile.FullName);
            }
            catch (Exception ex) when (ex is BatchFileFormatException or IOException)
            {
                return Fail($"--prices: {ex.Message}");
            }
        }

        if (parse.GetValue(DryRun))
        {
            // With --cluster too: an estimate sends nothing and needs no cluster.
            return await DryRunAsync(input, prices, parse.GetValue(SkipInvalid), cancellationToken).ConfigureAwait(false);
        }

        if (parse.GetValue(ClusterAddress) is { } cluster)
        {
            return await RunOnClusterAsync(parse, cluster, input, output, prices, cancellationToken).ConfigureAwait(false);
        }

        if (Configure(parse) is not { } configured)
        {
            return ExitCodes.InvalidInput;
        }

        var (baseUrl, clientOptions) = configured;
        string? apiKey = "none";
        string keyVariable = parse.GetValue(ApiKeyEnv)!;
        if (!parse.GetValue(NoApiKey) && !IsVariableName(keyVariable))
        {
            return Fail(NotAVariableName);
        }

        if (!parse.GetValue(NoApiKey))
        {
            apiKey = Environment.GetEnvironmentVariable(keyVariable);
            if (string.IsNullOrEmpty(apiKey))
            {
                return Fail($"--api-key-env: the environment variable {keyVariable} is not set (or is empty). Set it to the API key, name another variable with --api-key-env, or pass --no-api-key for a server that needs none.");
            }
        }

        using var leaser = await ConnectSharedBudgetAsync(parse.GetValue(SharedBudget), cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(SharedBudget) is not null && leaser is null)
        {
            return ExitCodes.InvalidInput;
        }

        clientOptions.RateBudget.Leaser = leaser;
        string model = await new BatchInputReader(input).ReadFirstModelAsync(cancellationToken).ConfigureAwait(false) ?? "default";
        HttpClient http;
        SluiceThroughputHandler handler;
        try
        {
            (http, handler) = OpenAICompatible.CreateHttpClient(baseUrl, apiKey, model, clientOptions);
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }

        if (parse.GetValue(NoApiKey))
        {
            http.DefaultRequestHeaders.Authorization = null;
        }

        using var client = http;
        var options = new BatchRunOptions
        {
            InputPath = input,
            OutputPath = output,
            ErrorsPath = parse.GetValue(Errors)?.FullName,
            Ordered = parse.GetValue(Ordered),
            SkipInvalid = parse.GetValue(SkipInvalid),
            Resume = parse.GetValue(Resume),
            RetryErrors = parse.GetValue(RetryErrors),
            MaxCost = parse.GetValue(MaxCost),
            Prices = prices,
            Cache = parse.GetValue(Cache) is { } cacheDirectory ? new ResponseCache(cacheDirectory.FullName, baseUrl.AbsoluteUri) : null,
            MaxInFlight = Math.Clamp(2 * handler.Lane.Concurrency.MaximumLimit, 16, 8192),
            DrainTimeout = clientOptions.AttemptTimeout.Timeout + TimeSpan.FromSeconds(2),
            Journal = new RunJournalOptions { FlushToDisk = !parse.GetValue(NoFsync) },
            Ledger = handler.Ledger,
            ConcurrencyLimit = handler.Lane.Concurrency,
            Settings = new Dictionary<string, string?>
            {
                ["base URL"] = baseUrl.AbsoluteUri,
                ["API key variable"] = parse.GetValue(NoApiKey) ? "(none)" : keyVariable,
                ["max attempts"] = clientOptions.Retry.MaxAttempts.ToString(CultureInfo.InvariantCulture),
                ["attempt timeout (s)"] = clientOptions.AttemptTimeout.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                ["skip invalid lines"] = parse.GetValue(SkipInvalid) ? "yes" : "no",
            },
        };

        BatchFileRunner runner;
        try
        {
            runner = new BatchFileRunner(client, options);
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }

        using var sharedShare = leaser is null ? null : handler.Lane.Budget; // disposing it hands its share back to the other processes
        using var signals = new StopSignals(message => Console.Error.WriteLine("sluice: " + message));
        var run = runner.RunAsync(signals.Stop, cancellationToken);
        await ProgressDisplay.ForStandardError(runner.Snapshot, () => runner.CostLimitReached).ShowUntilAsync(run).ConfigureAwait(false);

        BatchRunResult result;
        try
        {
            result = await run.ConfigureAwait(false);
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
        catch (BatchFileFormatException ex)
        {
            return Fail(ex.Message);
        }

        return Report(result, parse.GetValue(MaxCost));
    }

    private static int Report(BatchRunResult result, decimal? maxCost)
    {
        switch (result.Outcome)
        {
            case BatchRunOutcome.InvalidInput:
                foreach (string line in result.Validation.Describe())
                {
                    Console.Error.WriteLine(line);
                }

                Console.Error.WriteLine($"sluice: nothing was sent. The errors (the first {result.Validation.Errors.Count} of {result.Validation.ErrorCount}) are in {result.Directory.InputErrorsPath} (OpenAI's errors shape). Fix the lines, or pass --skip-invalid to send the valid ones.");
                return ExitCodes.InvalidInput;
            case BatchRunOutcome.Interrupted:
                Console.Out.WriteLine("sluice: interrupted: " + ProgressDisplay.StatusLine(result.Counts));
                Console.Out.WriteLine($"sluice: finished items are in {result.Directory.JournalPath}; to continue, run:");
                Console.Out.WriteLine("  " + ResumeCommand());
                return ExitCodes.Interrupted;
            default:
                Console.Out.WriteLine("sluice: finished: " + ProgressDisplay.StatusLine(result.Counts));
                Console.Out.WriteLine($"sluice: output {result.Directory.OutputPath}; errors {result.ErrorsPath}; summary {result.Directory.SummaryPath}");
                ReportNotSent(result.Counts.NotSent, maxCost);

                return result.Outcome == BatchRunOutcome.Succeeded ? ExitCodes.Success : ExitCodes.FinishedWithFailures;
        }
    }

    /// <summary>Says how many requests <c>--max-cost</c> kept from being sent, if any, and how to send them.</summary>
    internal static void ReportNotSent(long notSent, decimal? maxCost)
    {
        if (notSent > 0)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sluice: --max-cost {maxCost} reached: {notSent:N0} requests were not sent (in the errors file as {BatchErrorCodes.CostLimitReached}); to send them, run again with --resume and a higher --max-cost."));
        }
    }

    /// <summary>The command line that resumes this run: the same arguments, with <c>--resume</c> added.</summary>
    private static string ResumeCommand()
    {
        var arguments = Environment.GetCommandLineArgs().Skip(1).ToList();
        if (!arguments.Contains("--resume"))
        {
            arguments.Add("--resume");
        }

        return "sluice " + string.Join(' ', arguments.Select(Quote));

        static string Quote(string argument) =>
            argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@%+,".Contains(c))
                ? argument
                : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private const string NotAVariableName = "--api-key-env takes the NAME of an environment variable (letters, digits, _), not the key itself; the value given is not a variable name and is not shown.";

    private static bool IsVariableName(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$");

    /// <summary><c>--cluster</c>: the same options mapped onto a sharded run (<see cref="ClusterRun"/>).</summary>
    private static async Task<int> RunOnClusterAsync(ParseResult parse, string cluster, string input, string output, PriceTable? prices, CancellationToken cancellationToken)
    {
        if (parse.GetResult(SharedBudget) is { Implicit: false })
        {
            return Fail("--shared-budget does not go with --cluster: the cluster's workers already share one budget, so --rpm/--tpm hold for all of them together.");
        }

        if (Configure(parse) is not { } configured)
        {
            return ExitCodes.InvalidInput;
        }

        var (baseUrl, clientOptions) = configured;
        string keyVariable = parse.GetValue(ApiKeyEnv)!;
        if (!parse.GetValue(NoApiKey) && !IsVariableName(keyVariable))
        {
            return Fail(NotAVariableName);
        }

        ShardedRunPrice? price = null;
        if (prices is not null)
        {
            string? model = await new BatchInputReader(input).ReadFirstModelAsync(cancellationToken).ConfigureAwait(false);
            price = ShardedRunPrice.For(prices, model);
            if (price is null && parse.GetValue(MaxCost) is not null)
            {
                return Fail($"--max-cost cannot be applied: {(model is null ? "the requests name no model" : $"model '{model}' has no price")} in the price table; add it to the --prices file.");
            }
        }

        var run = new ShardedRunOptions
        {
            InputPath = input,
            OutputPath = output,
            ErrorsPath = parse.GetValue(Errors)?.FullName,
            BaseUrl = baseUrl.AbsoluteUri,
            ApiKeyVariable = parse.GetValue(NoApiKey) ? null : keyVariable,
            MaxAttempts = clientOptions.Retry.MaxAttempts,
            AttemptTimeout = clientOptions.AttemptTimeout.Timeout,
            MaxConcurrency = clientOptions.Concurrency.MaxConcurrency,
            RequestsPerMinute = clientOptions.RateBudget.RequestsPerMinute,
            TokensPerMinute = clientOptions.RateBudget.TokensPerMinute,
            InputTokensPerMinute = clientOptions.RateBudget.InputTokensPerMinute,
            OutputTokensPerMinute = clientOptions.RateBudget.OutputTokensPerMinute,
            FlushToDisk = !parse.GetValue(NoFsync),
            SkipInvalid = parse.GetValue(SkipInvalid),
            RetryErrors = parse.GetValue(RetryErrors),
            CacheDirectory = parse.GetValue(Cache)?.FullName,
            MaxCost = parse.GetValue(MaxCost),
            Price = price,
        };
        return await ClusterRun.RunAsync(cluster, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connects to the Redis server that <c>--shared-budget</c> names; <see langword="null"/> (after printing why) when
    /// it is malformed or out of reach, or when the option is absent.</summary>
    private static async Task<Sluice.Redis.RedisCapacityLeaser?> ConnectSharedBudgetAsync(string? address, CancellationToken cancellationToken)
    {
        if (address is null)
        {
            return null;
        }

        try
        {
            return await Sluice.Redis.RedisCapacityLeaser.ConnectAsync(address, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            Fail($"--shared-budget: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // The client library's own advice (connection-string flags) does not apply to a command line: say what failed.
            Fail($"--shared-budget: cannot reach the Redis server at {address} ({(ex is StackExchange.Redis.RedisConnectionException connection ? connection.FailureType.ToString() : ex.GetType().Name)}); start it, or check the address.");
        }

        return null;
    }

    private static (Uri BaseUrl, SluiceClientOptions Options)? Configure(ParseResult parse)
    {
        string? baseUrlText = parse.GetValue(BaseUrl);
        if (string.IsNullOrWhiteSpace(baseUrlText))
        {
            Fail("--base-url is required (the API base, /v1 included, e.g. http://127.0.0.1:8080/v1), unless --dry-run.");
            return null;
        }

        if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            Fail("--base-url: expected an absolute http or https address such as http://127.0.0.1:8080/v1.");
            return null;
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            Fail("--base-url must not carry credentials (user-info or a query string): pass the key in the variable named by --api-key-env.");
            return null;
        }

        var options = new SluiceClientOptions();
        string concurrency = parse.GetValue(Concurrency)!;
        if (!string.Equals(concurrency, "auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(concurrency, NumberStyles.None, CultureInfo.InvariantCulture, out int fixedLimit) || fixedLimit < 1)
            {
                Fail($"--concurrency: expected a whole number of at least 1, or auto; it was '{concurrency}'.");
                return null;
            }

            options.Concurrency.MaxConcurrency = fixedLimit;
        }

        if (parse.GetValue(Rpm) is { } rpm)
        {
            if (rpm < 1)
            {
                Fail($"--rpm: expected at least 1; it was {rpm}.");
                return null;
            }

            options.RateBudget.RequestsPerMinute = rpm;
        }

        if (parse.GetValue(Tpm) is { } tpm)
        {
            if (tpm < 1)
            {
                Fail($"--tpm: expected at least 1; it was {tpm}.");
                return null;
            }

            options.RateBudget.TokensPerMinute = tpm;
        }

        foreach (var (option, name, set) in new (Option<int?>, string, Action<int>)[]
                 {
                     (InputTpm, "--input-tpm", v => options.RateBudget.InputTokensPerMinute = v),
                     (OutputTpm, "--output-tpm", v => options.RateBudget.OutputTokensPerMinute = v),
                 })
        {
            if (parse.GetValue(option) is { } perMinute)
            {
                if (perMinute < 1)
                {
                    Fail($"{name}: expected at least 1; it was {perMinute}.");
                    return null;
                }

                set(perMinute);
            }
        }

        int attempts = parse.GetValue(MaxAttempts);
        if (attempts < 1)
        {
            Fail($"--max-attempts: expected at least 1; it was {attempts}.");
            return null;
        }

        options.Retry.MaxAttempts = attempts;
        double seconds = parse.GetValue(Timeout);
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 86_400)
        {
            Fail(string.Create(CultureInfo.InvariantCulture, $"--timeout: expected seconds above 0 and at most 86400; it was {seconds}."));
            return null;
        }

        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(seconds);
        if (parse.GetValue(MaxCost) is { } maxCost && (maxCost < 0 || parse.GetValue(Prices) is null))
        {
            Fail(maxCost < 0 ? $"--max-cost: expected dollars, 0 or more; it was {maxCost}." : "--max-cost needs --prices: a price table to estimate the spend with.");
            return null;
        }

        if (parse.GetValue(RetryErrors) && !parse.GetValue(Resume))
        {
            Fail("--retry-errors continues an earlier run: add --resume.");
            return null;
        }

        return (baseUrl, options);
    }

    private static async Task<int> DryRunAsync(string input, PriceTable? prices, bool skipInvalid, CancellationToken cancellationToken)
    {
        var reader = new BatchInputReader(input);
        var report = await reader.ValidateAsync(cancellationToken).ConfigureAwait(false);
        foreach (string line in report.Describe())
        {
            Console.Error.WriteLine(line);
        }

        if (!report.IsValid && !skipInvalid)
        {
            Console.Error.WriteLine("sluice: the input has invalid lines (above); nothing would be sent. Fix them, or pass --skip-invalid.");
            return ExitCodes.InvalidInput;
        }

        var estimate = await BatchEstimate.EstimateAsync(reader, prices, cancellationToken).ConfigureAwait(false);
        var c = CultureInfo.InvariantCulture;
        string high = estimate.OutputTokensHigh is { } h ? h.ToString("N0", c) : string.Create(c, $"unbounded ({estimate.UncappedRequests:N0} requests set no max_tokens)");
        string costs = estimate.CostExpected is null
            ? $"unknown (no price for {string.Join(", ", estimate.UnpricedModels)}{(prices is null ? "; pass --prices" : string.Empty)})"
            : $"{ProgressDisplay.Cost(estimate.CostLow)} / {ProgressDisplay.Cost(estimate.CostExpected)} / {(estimate.CostHigh is null ? "unbounded" : ProgressDisplay.Cost(estimate.CostHigh))} (low / expected / high)";
        Console.Out.WriteLine(string.Create(c, $"dry run of {input}: nothing was sent"));
        Console.Out.WriteLine(string.Create(c, $"  lines          {report.LineCount:N0} ({report.ValidCount:N0} valid, {report.InvalidCount:N0} invalid)"));
        Console.Out.WriteLine(string.Create(c, $"  requests       {estimate.Requests:N0}{(report.Model is { } m ? $" (model {m})" : string.Empty)}"));
        Console.Out.WriteLine(string.Create(c, $"  input tokens   {estimate.InputTokens:N0}"));
        Console.Out.WriteLine(string.Create(c, $"  output tokens  {estimate.OutputTokensLow:N0} / {estimate.OutputTokensExpected:N0} / {high} (low / expected / high)"));
        Console.Out.WriteLine("  cost           " + costs);
        return ExitCodes.Success;
    }

    private static bool PathsEqual(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }
}
