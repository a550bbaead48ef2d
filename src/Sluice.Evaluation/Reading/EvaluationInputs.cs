using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Pulls the query, the response text and typed contexts out of an evaluator's arguments.</summary>
internal static class EvaluationInputs
{
    /// <summary>The text of the last user message, or <see langword="null"/> when there is none.</summary>
    public static string? Query(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.LastOrDefault(static m => m.Role == ChatRole.User)?.Text;
    }

    /// <summary>The text of the response (empty when it has no text).</summary>
    public static string Response(ChatResponse modelResponse)
    {
        ArgumentNullException.ThrowIfNull(modelResponse);
        return modelResponse.Text;
    }

    /// <summary>The first context of type <typeparamref name="T"/>, or <see langword="null"/>.</summary>
    public static T? Find<T>(IEnumerable<EvaluationContext>? additionalContext)
        where T : EvaluationContext =>
        additionalContext?.OfType<T>().FirstOrDefault();
}
