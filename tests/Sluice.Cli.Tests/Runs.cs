using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary>The arguments and files the feature tests share.</summary>
internal static class Runs
{
    public const string KeyVariable = "SLUICE_TEST_KEY";

    public static readonly Dictionary<string, string> Key = new() { [KeyVariable] = "sk-test-feature-0123456789" };

    /// <summary><c>run -i input -o output --base-url … --api-key-env …</c> and <paramref name="more"/>.</summary>
    public static string[] Arguments(SimulatorHost simulator, string input, string output, params string[] more) =>
        ["run", "-i", input, "-o", output, "--base-url", simulator.OpenAIEndpoint.ToString(), "--api-key-env", KeyVariable, .. more];

    public static string Explain((int ExitCode, string Stdout, string Stderr) run) =>
        $"exit {run.ExitCode}\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}";

    /// <summary>The <c>counts</c> object of the run's summary.json.</summary>
    public static JsonElement Counts(string directory, string output = "results.jsonl")
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, output + ".sluice", "summary.json")));
        return summary.RootElement.GetProperty("counts").Clone();
    }

    /// <summary>Each line of a JSONL file, parsed (a missing file reads as empty).</summary>
    public static List<JsonElement> Lines(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];

    public static string PricesFile(string directory, string json, string name = "prices.json")
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, json);
        return path;
    }
}
