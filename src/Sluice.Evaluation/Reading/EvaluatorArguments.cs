using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Pulls the query, the response text and typed contexts out of an evaluator's arguments.</summary>
internal static class EvaluatorArguments
{
    /// <summary>How a missing-input result names a missing query.</summary>
    public const string MissingQuery = "a query (a user message)";

    /// <summary>How a missing-input result names a missing <see cref="ReferenceAnswerContext"/>.</summary>
    public const string MissingReferenceAnswer = "a ReferenceAnswerContext";

    /// <summary>How a missing-input result names a missing or empty <see cref="RetrievedPassagesContext"/>.</summary>
    public const string MissingRetrievedPassages = "a RetrievedPassagesContext with at least one passage";

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

    /// <summary>The first <see cref="RetrievedPassagesContext"/> when it holds at least one passage, else <see langword="null"/>.</summary>
    public static RetrievedPassagesContext? RetrievedPassages(IEnumerable<EvaluationContext>? additionalContext) =>
        Find<RetrievedPassagesContext>(additionalContext) is { Passages.Count: > 0 } contexts ? contexts : null;
}
