using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.BatchFiles;

/// <summary>The run's <c>summary.json</c> (in the run directory): how it ended, its files, and its counts.</summary>
internal sealed record BatchRunSummary
{
    /// <summary>How a summary is written: indented, every property present (a null as <c>null</c>), through
    /// serialization code generated at build time rather than built by reflection when the run ends (which emitted 18
    /// accessor methods at run time and compiled about 60 more methods in all, for one file).</summary>
    public static JsonTypeInfo<BatchRunSummary> JsonInfo => BatchRunSummaryJsonContext.Default.BatchRunSummary;

    /// <summary>What wrote the run directory: <c>run</c> (<c>sluice run</c>); an evaluation writes <c>eval</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "run";

    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    [JsonPropertyName("input")]
    public required string Input { get; init; }

    [JsonPropertyName("output")]
    public string? Output { get; init; }

    [JsonPropertyName("errors")]
    public string? Errors { get; init; }

    [JsonPropertyName("output_lines")]
    public long? OutputLines { get; init; }

    [JsonPropertyName("error_lines")]
    public long? ErrorLines { get; init; }

    [JsonPropertyName("counts")]
    public required BatchRunSnapshot Counts { get; init; }
}

/// <summary>The source-generated serializer of <c>summary.json</c>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BatchRunSummary))]
internal sealed partial class BatchRunSummaryJsonContext : JsonSerializerContext;
