using System.Globalization;

namespace Sluice.Simulator;

/// <summary>Parses the program's flags into <see cref="SimulatorOptions"/>; errors name the flag.</summary>
internal static class CommandLine
{
    /// <summary>Flag → (value description, setter).</summary>
    private static readonly Dictionary<string, (string Help, Func<SimulatorOptions, string, SimulatorOptions> Set)> Flags = new()
    {
        ["--port"] = ("TCP port on 127.0.0.1; 0 picks one (default 0)", (o, v) => o with { Port = Int(v) }),
        ["--seed"] = ("seed for content, jitter and faults (default 42)", (o, v) => o with { Seed = Int(v) }),
        ["--latency-ms"] = ("base latency (default 0)", (o, v) => o with { LatencyMs = Num(v) }),
        ["--per-token-ms"] = ("latency per output token (default 0)", (o, v) => o with { PerTokenLatencyMs = Num(v) }),
        ["--jitter-ms"] = ("uniform ± jitter (default 0)", (o, v) => o with { JitterMs = Num(v) }),
        ["--capacity"] = ("concurrent requests before latency grows; 0 = unlimited (default 0)", (o, v) => o with { Capacity = Int(v) }),
        ["--rpm"] = ("requests per minute; 0 = unlimited (default 0)", (o, v) => o with { RequestsPerMinute = Int(v) }),
        ["--tpm"] = ("tokens per minute; 0 = unlimited (default 0)", (o, v) => o with { TokensPerMinute = Int(v) }),
        ["--burst-seconds"] = ("bucket capacity in seconds of refill (default 60)", (o, v) => o with { BurstSeconds = Num(v) }),
        ["--context-window"] = ("context window in tokens (default 128000)", (o, v) => o with { ContextWindowTokens = Int(v) }),
        ["--min-tokens"] = ("fewest output tokens of a reply (default 8)", (o, v) => o with { MinCompletionTokens = Int(v) }),
        ["--max-tokens"] = ("most output tokens of a reply (default 48)", (o, v) => o with { MaxCompletionTokens = Int(v) }),
        ["--dimensions"] = ("default embedding dimensions (default 1536)", (o, v) => o with { EmbeddingDimensions = Int(v) }),
        ["--encoding"] = ("o200k_base or cl100k_base (default o200k_base)", (o, v) => o with { TokenizerEncoding = v }),
        ["--models"] = ("comma-separated model ids for /v1/models", (o, v) => o with { Models = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }),
        ["--error500-rate"] = ("fraction answered 500 (default 0)", (o, v) => o with { Error500Rate = Num(v) }),
        ["--error502-rate"] = ("fraction answered 502 (default 0)", (o, v) => o with { Error502Rate = Num(v) }),
        ["--error503-rate"] = ("fraction answered 503 (default 0)", (o, v) => o with { Error503Rate = Num(v) }),
        ["--hang-rate"] = ("fraction held until the client gives up (default 0)", (o, v) => o with { HangRate = Num(v) }),
        ["--drop-rate"] = ("fraction whose connection is dropped (default 0)", (o, v) => o with { DropRate = Num(v) }),
        ["--malformed-rate"] = ("fraction answered 200 with truncated JSON (default 0)", (o, v) => o with { MalformedRate = Num(v) }),
        ["--quota-exhausted"] = ("true: answer every request 429 insufficient_quota, a key out of credit (default false)", (o, v) => o with { QuotaExhausted = Bool(v) }),
        ["--max-hang-ms"] = ("longest a hang lasts (default 30000)", (o, v) => o with { MaxHangMs = Num(v) }),
        ["--rules"] = ("JSON rules file: [{\"pattern\": regex, \"reply\": text}]", (o, v) => o with { RulesFile = v }),
        ["--max-seconds"] = ("stop after this many seconds; 0 = never (default 0)", (o, v) => o with { MaxSeconds = Num(v) }),
        ["--warm-up"] = ("true: compile the request path before printing the address, so clients meet the steady speed from their first request (default true)", (o, v) => o with { WarmUp = Bool(v) }),
    };

    /// <summary>Option property name → flag, to name the flag when validation fails.</summary>
    private static readonly Dictionary<string, string> FlagOfOption = new()
    {
        [nameof(SimulatorOptions.Port)] = "--port", [nameof(SimulatorOptions.LatencyMs)] = "--latency-ms",
        [nameof(SimulatorOptions.PerTokenLatencyMs)] = "--per-token-ms", [nameof(SimulatorOptions.JitterMs)] = "--jitter-ms",
        [nameof(SimulatorOptions.Capacity)] = "--capacity", [nameof(SimulatorOptions.RequestsPerMinute)] = "--rpm",
        [nameof(SimulatorOptions.TokensPerMinute)] = "--tpm", [nameof(SimulatorOptions.BurstSeconds)] = "--burst-seconds",
        [nameof(SimulatorOptions.ContextWindowTokens)] = "--context-window", [nameof(SimulatorOptions.MinCompletionTokens)] = "--min-tokens",
        [nameof(SimulatorOptions.MaxCompletionTokens)] = "--max-tokens", [nameof(SimulatorOptions.EmbeddingDimensions)] = "--dimensions",
        [nameof(SimulatorOptions.TokenizerEncoding)] = "--encoding", [nameof(SimulatorOptions.Models)] = "--models",
        [nameof(SimulatorOptions.Error500Rate)] = "--error500-rate", [nameof(SimulatorOptions.Error502Rate)] = "--error502-rate",
        [nameof(SimulatorOptions.Error503Rate)] = "--error503-rate", [nameof(SimulatorOptions.HangRate)] = "--hang-rate",
        [nameof(SimulatorOptions.DropRate)] = "--drop-rate", [nameof(SimulatorOptions.MalformedRate)] = "--malformed-rate",
        [nameof(SimulatorOptions.QuotaExhausted)] = "--quota-exhausted", [nameof(SimulatorOptions.MaxHangMs)] = "--max-hang-ms", [nameof(SimulatorOptions.MaxSeconds)] = "--max-seconds", [nameof(SimulatorOptions.WarmUp)] = "--warm-up",
        [nameof(SimulatorOptions.RulesFile)] = "--rules", [nameof(SimulatorOptions.Rules)] = "--rules",
    };

    /// <summary>Parses <paramref name="args"/>; throws <see cref="CommandLineException"/> naming the offending flag.</summary>
    public static SimulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SimulatorOptions { WarmUp = true }; // the program warms up unless told not to
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? value = null;
            int equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                value = arg[(equals + 1)..];
                arg = arg[..equals];
            }
            if (!Flags.TryGetValue(arg, out var flag))
                throw new CommandLineException(arg, $"unknown flag '{arg}' (see --help)");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new CommandLineException(arg, $"{arg} needs a value: {flag.Help}");
                value = args[++i];
            }
            try
            {
                options = flag.Set(options, value);
            }
            catch (FormatException)
            {
                throw new CommandLineException(arg, $"{arg}: expected {(arg == "--quota-exhausted" ? "true or false" : "a number")}, got '{value}'");
            }
        }
        try
        {
            return options.Validate();
        }
        catch (ArgumentException ex)
        {
            string name = ex.ParamName is { } p && FlagOfOption.TryGetValue(p, out var f) ? f : ex.ParamName ?? "options";
            throw new CommandLineException(name, $"{name}: {ex.Message.Split(" (Parameter")[0]}");
        }
    }

    public static string Usage() =>
        "Usage: Sluice.Simulator [flags]   (OpenAI-compatible load and fault simulator on 127.0.0.1)\n" +
        string.Join('\n', Flags.Select(f => $"  {f.Key,-18} {f.Value.Help}"));

    private static int Int(string v) => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static bool Bool(string v) => bool.Parse(v);

    private static double Num(string v) => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>A bad command line; <see cref="Flag"/> is the offending flag.</summary>
internal sealed class CommandLineException(string flag, string message) : Exception(message)
{
    public string Flag { get; } = flag;
}
