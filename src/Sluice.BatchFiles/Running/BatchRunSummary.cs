using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.BatchFiles;

/// <summary>The run's <c>summary.json</c> (in the run directory): how it ended, its files, and its counts.</summary>
internal sealed record BatchRunSummary
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

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
