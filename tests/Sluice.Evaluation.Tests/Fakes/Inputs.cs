using Microsoft.Extensions.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>Short ways to build evaluator inputs.</summary>
internal static class Inputs
{
    public static ChatMessage[] Query(string query) => [new ChatMessage(ChatRole.User, query)];

    public static ChatResponse Response(string response) => new(new ChatMessage(ChatRole.Assistant, response));
}
