using System.Text.Json.Serialization;

namespace Sluice.Simulator;

/// <summary>Source-generated JSON for stats, options and rules (snake_case).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(StatsSnapshot))]
[JsonSerializable(typeof(SimulatorOptions))]
[JsonSerializable(typeof(List<ScriptedReply>))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
