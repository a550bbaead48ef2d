using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// What a judge is asked: the system and user prompts and the context they quote; or, when an input is missing,
/// a description of that input instead.
/// </summary>
internal readonly record struct JudgeQuestion(string System, string Prompt, EvaluationContext? ContextUsed, string? MissingInput)
{
    /// <summary>A question that can be asked.</summary>
    public JudgeQuestion(string system, string prompt, EvaluationContext? contextUsed = null)
        : this(system, prompt, contextUsed, MissingInput: null)
    {
    }

    /// <summary>No question: <paramref name="input"/> (as "a query (a user message)") is missing.</summary>
    public static JudgeQuestion Missing(string input) => new(string.Empty, string.Empty, null, input);

    /// <summary>
    /// The question <paramref name="ask"/> builds from the query (the last user message) and the response text, or
    /// a missing query. The query is read before the response, so a <see langword="null"/> <paramref name="messages"/>
    /// is reported first.
    /// </summary>
    public static JudgeQuestion ForQuery(IEnumerable<ChatMessage> messages, ChatResponse modelResponse, Func<string, string, JudgeQuestion> ask)
    {
        var query = EvaluatorArguments.Query(messages);
        var response = EvaluatorArguments.Response(modelResponse);
        return query is null ? Missing(EvaluatorArguments.MissingQuery) : ask(query, response);
    }
}
