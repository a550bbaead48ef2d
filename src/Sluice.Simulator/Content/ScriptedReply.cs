using System.Text.Json.Serialization;

namespace Sluice.Simulator;

/// <summary>A scripted chat reply: when <see cref="Pattern"/> matches the last user message, answer <see cref="Reply"/>.</summary>
/// <param name="Pattern">A .NET regular expression matched against the last user message's text.</param>
/// <param name="Reply">The exact assistant reply.</param>
public sealed record ScriptedReply(
    [property: JsonPropertyName("pattern")] string Pattern,
    [property: JsonPropertyName("reply")] string Reply);
