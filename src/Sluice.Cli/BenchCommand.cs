using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.AI;

namespace Sluice.Cli;

/// <summary><c>sluice bench</c>: sweeps concurrency (and, for embeddings, group size) against an OpenAI-compatible
/// endpoint and recommends settings for <c>sluice run</c>. The verb only reads its options and displays; the plan, the
/// sweep, the measurements and the recommendation are <see cref="EndpointBenchmark"/>'s.</summary>
internal static class BenchCommand
{
    private static readonly ModelEndpointOptions EndpointOptions = new("The model the requests name [default: gpt-4o-mini; text-embedding-3-small with --endpoint embeddings].", baseUrlRequired: true);
    private static readonly Option<string?> Endpoint = new("--endpoint") { Description = "chat or embeddings [default: embeddings when the model's name contains 'embed', else chat]." };
    private static readonly Option<int> MaxConcurrency = new("--max-concurrency") { Description = "The largest concurrency of the sweep 1, 2, 4, …", DefaultValueFactory = _ => 128 };
    private static readonly Option<string?> Levels = new("--concurrency-levels") { Description = "The concurrencies to sweep, rising, comma-separated (e.g. 8,16,32), in place of 1, 2, 4, … --max-concurrency." };
    private static readonly Option<int> GroupSize = new("--group-size") { Description = "Embeddings: texts per request during the concurrency sweep.", DefaultValueFactory = _ => 16 };
    private static readonly Option<string> GroupSizes = new("--group-sizes") { Description = "Embeddings: the group sizes (texts per request) to sweep at the recommended concurrency, rising, comma-separated.", DefaultValueFactory = _ => "1,4,16,64,256" };
    private static readonly Option<int> MaxTokens = new("--max-tokens") { Description = "Chat: max_tokens of each request.", DefaultValueFactory = _ => 64 };
    private static readonly Option<int> MaxRequests = new("--max-requests") { Description = "The most requests the benchmark sends, both sweeps together.", DefaultValueFactory = _ => 2000 };
    private static readonly Option<double> Timeout = new("--timeout") { Description = "Seconds one request may take before it counts as failed.", DefaultValueFactory = _ => 60 };
    private static readonly Option<bool> Yes = new("--yes") { Description = "Benchmark an endpoint that is not on this machine (not localhost, 127.0.0.0/8 or ::1); it spends that provider's quota." };
    private static readonly Option<bool> Json = new("--json") { Description = "Write the sweep and the recommendation as JSON on standard output (in place of the table)." };

    private const string Examples = """
        Examples:
          sluice bench --base-url http://127.0.0.1:8080/v1 --no-api-key
          sluice bench --base-url http://127.0.0.1:8080/v1 --no-api-key --model text-embedding-3-small
          sluice bench --base-url https://api.openai.com/v1 --model gpt-4o-mini --max-requests 500 --yes
          sluice bench --base-url http://localhost:8000/v1 --no-api-key --concurrency-levels 8,16,32,64 --json > sweep.json
        """;

    private const string ExitHelp = """
        Exit codes:
          0    the sweep finished and recommends a concurrency
          2    invalid option, missing API key variable, or a refused endpoint (not loopback, no --yes); nothing was sent
          3    the sweep finished, but no step was clean (every one had more than 2 % of its requests refused or failed)
          130  interrupted (Ctrl+C)
        """;

    public static Command Create()
    {
        var command = new Command("bench", "Sweep concurrency (and, for embeddings, texts per request) against an OpenAI-compatible endpoint with a bounded number of requests; print throughput, latency percentiles and 429/error shares per setting, and the settings to pass to sluice run.\n\n" + Examples + "\n" + ExitHelp);
        foreach (Option option in EndpointOptions.All.Concat([Endpoint, MaxConcurrency, Levels, GroupSize, GroupSizes, MaxTokens, MaxRequests, Timeout, Yes, Json]))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (ReadOptions(parse) is not { } read)
        {
            return ExitCodes.InvalidInput;
        }

        var (baseUrl, options) = read;
        int minimum = EndpointBenchmark.MinimumMaxRequests(options);
        if (options.MaxRequests < minimum)
        {
            return Fail(string.Create(CultureInfo.InvariantCulture,
                $"--max-requests: expected at least {minimum:N0}, the requests of the sweep's first step (concurrency {options.ConcurrencyLevels?[0] ?? 1}) alone; it was {options.MaxRequests:N0}. Nothing was sent."));
        }

        BenchmarkPlan plan;
        try
        {
            plan = EndpointBenchmark.Plan(options);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Fail(ex.Message);
        }

        string address = baseUrl.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        if (!options.AllowNonLoopback && !EndpointBenchmark.IsLoopback(baseUrl))
        {
            return Fail(string.Create(CultureInfo.InvariantCulture,
                $"--base-url: {address} is not on this machine (localhost, 127.0.0.0/8 or ::1), and a benchmark would send it up to {plan.MaxRequests:N0} requests, spending that provider's quota and money. Pass --yes to benchmark it anyway. Nothing was sent."));
        }

        if (!EndpointOptions.TryResolveApiKey(parse, out string? apiKey, out string? keyError))
        {
            return Fail(keyError!);
        }

        foreach (string line in BenchReport.Announce(plan, options, address))
        {
            Console.Error.WriteLine(line);
        }

        // Ctrl+C or SIGTERM stops at once: what is in flight is cancelled, nothing is kept but the lines already printed;
        // a second Ctrl+C ends the process without waiting for that.
        using var interruption = new Interruption(cancellationToken);
        EndpointBenchmarkResult result;
        try
        {
            result = await EndpointBenchmark.RunAsync(baseUrl, apiKey, options, new Progress(), interruption.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            Console.Error.WriteLine("sluice: stopped; nothing is kept (the steps measured so far are above).");
            return ExitCodes.Interrupted;
        }

        if (parse.GetValue(Json))
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
        }
        else
        {
            Console.Out.Write(BenchReport.Report(result));
        }

        return result.Concurrency.Value is null ? ExitCodes.FinishedWithFailures : ExitCodes.Success;
    }

    private static (Uri BaseUrl, EndpointBenchmarkOptions Options)? ReadOptions(ParseResult parse)
    {
        if (EndpointOptions.ResolveBaseUrl(parse, out string? error) is not { } baseUrl)
        {
            Fail(error!);
            return null;
        }

        string? model = parse.GetValue(EndpointOptions.Model);
        BenchmarkEndpoint endpoint;
        switch (parse.GetValue(Endpoint)?.ToLowerInvariant())
        {
            case null:
                endpoint = model is not null && model.Contains("embed", StringComparison.OrdinalIgnoreCase) ? BenchmarkEndpoint.Embeddings : BenchmarkEndpoint.Chat;
                break;
            case "chat":
                endpoint = BenchmarkEndpoint.Chat;
                break;
            case "embeddings":
                endpoint = BenchmarkEndpoint.Embeddings;
                break;
            default:
                Fail($"--endpoint: expected chat or embeddings; it was '{parse.GetValue(Endpoint)}'.");
                return null;
        }

        if (model is not null && string.IsNullOrWhiteSpace(model))
        {
            Fail("--model: expected a model name; it was empty.");
            return null;
        }

        if (!TryList(parse.GetValue(GroupSizes)!, "--group-sizes", out var groupSizes))
        {
            return null;
        }

        IReadOnlyList<int>? levels = null;
        if (parse.GetValue(Levels) is { } levelText)
        {
            if (!TryList(levelText, "--concurrency-levels", out var parsed))
            {
                return null;
            }

            levels = parsed;
        }

        double seconds = parse.GetValue(Timeout);
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 86_400)
        {
            Fail(string.Create(CultureInfo.InvariantCulture, $"--timeout: expected seconds above 0 and at most 86400; it was {seconds}."));
            return null;
        }

        var checks = new (string Name, int Value, int Max)[]
        {
            ("--max-concurrency", parse.GetValue(MaxConcurrency), 65_536),
            ("--group-size", parse.GetValue(GroupSize), 2048),
            ("--max-tokens", parse.GetValue(MaxTokens), 1_000_000),
            ("--max-requests", parse.GetValue(MaxRequests), 10_000_000),
        };
        foreach (var (name, value, max) in checks)
        {
            if (value < 1 || value > max)
            {
                Fail(string.Create(CultureInfo.InvariantCulture, $"{name}: expected a whole number from 1 to {max:N0}; it was {value}."));
                return null;
            }
        }

        if (groupSizes.Any(g => g > 2048))
        {
            Fail("--group-sizes: each group size must be at most 2048 (texts per embeddings request).");
            return null;
        }

        return (baseUrl, new EndpointBenchmarkOptions
        {
            Endpoint = endpoint,
            Model = model ?? (endpoint == BenchmarkEndpoint.Embeddings ? "text-embedding-3-small" : "gpt-4o-mini"),
            ConcurrencyLevels = levels,
            MaxConcurrency = parse.GetValue(MaxConcurrency),
            GroupSize = parse.GetValue(GroupSize),
            GroupSizes = groupSizes,
            MaxOutputTokens = parse.GetValue(MaxTokens),
            MaxRequests = parse.GetValue(MaxRequests),
            AttemptTimeout = TimeSpan.FromSeconds(seconds),
            AllowNonLoopback = parse.GetValue(Yes),
        });
    }

    /// <summary>A comma-separated list of positive whole numbers, strictly rising.</summary>
    private static bool TryList(string text, string name, out int[] values)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1 || (i > 0 && values[i] <= values[i - 1]))
            {
                Fail($"{name}: expected positive whole numbers, strictly rising, separated by commas (e.g. 1,4,16); '{parts[i]}' (item {i + 1}) is not.");
                return false;
            }
        }

        return true;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("sluice: " + message);
        return ExitCodes.InvalidInput;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>One line on standard error as each step ends.</summary>
    private sealed class Progress : IProgress<BenchmarkMeasurement>
    {
        public void Report(BenchmarkMeasurement value) =>
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {value.Setting}: {value.Requests} requests, {BenchReport.Rate(value.RequestsPerSecond)} req/s, p50 {BenchReport.Ms(value.LatencyP50Ms)} ms, 429 {BenchReport.Percent(value.RateLimitedShare)} %, errors {BenchReport.Percent(value.ErrorShare)} %"));
    }
}
