namespace Sluice.Evaluation.Tests;

/// <summary>
/// The judge prompts as they were before templates (commit adabac9), copied verbatim: the default templates must render
/// exactly these texts, because existing tests and the simulator's scripted-reply rules match on them. Never edit.
/// </summary>
internal static class LegacyJudgePrompts
{
    public const string System =
        "You are an impartial, careful evaluator of answers produced by AI systems. " +
        "Judge only what you are asked, and follow the requested reply format exactly.";

    public static string Faithfulness(string response, IReadOnlyList<string> contexts) => $"""
        Decide whether the information below is supported by the context.
        Answer YES if the context supports the information, even when most of the context is about other things.
        Answer NO if the context does not support it.
        Write YES or NO on the first line, then briefly explain your answer.

        Information:
        {response}

        Context:
        {JoinPassages(contexts)}
        """;

    public static string Relevancy(string query, string response, IReadOnlyList<string> contexts) => $"""
        Decide whether the response to the query is in line with the context information.
        Answer YES if the response answers the query and agrees with the context. Answer NO otherwise.
        Write YES or NO on the first line, then briefly explain your answer.

        Query:
        {query}

        Response:
        {response}

        Context:
        {JoinPassages(contexts)}
        """;

    public const string CorrectnessSystem = """
        You are an expert judge of a question-answering system.
        You are given a user query, a reference answer (which may be missing) and a generated answer.
        Judge how relevant and correct the generated answer is, and give a score from 1 to 5:
        - 1: the generated answer is not relevant to the query.
        - 2 or 3: the answer is relevant but contains mistakes.
        - 4 or 5: the answer is relevant and fully correct.
        Reply with the score alone on the first line, then your reasoning on the following lines.
        Example:
        4.0
        The answer is correct and addresses the question, but omits one detail from the reference.
        """;

    public static string Correctness(string query, string response, string? reference) => $"""
        ## User query
        {query}

        ## Reference answer
        {reference ?? "(no reference answer was supplied)"}

        ## Generated answer
        {response}
        """;

    public static string Guideline(string query, string response, string guidelines) => $"""
        Judge whether the response to the query follows every one of the guidelines.
        Reply with a JSON object only, in exactly this shape:
        {"{"}"passing": true or false, "feedback": "what the response does well or should change, in one or two sentences"{"}"}

        Query:
        {query}

        Response:
        {response}

        Guidelines:
        {guidelines}
        """;

    public static string AnswerRelevancy(string query, string response) => $"""
        Judge whether the response is relevant to the query by answering two questions:
        1. Does the response address the subject matter of the query?
        2. Does the response address the specific focus or perspective the query asks about?
        Each question is worth 1 point; partial points are allowed.
        Give your feedback on both questions first, then end with a last line in exactly this form:
        [RESULT] <total score from 0 to 2>

        Query:
        {query}

        Response:
        {response}
        """;

    public static string ContextRelevancy(string query, IReadOnlyList<string> contexts) => $"""
        Judge whether the retrieved context is relevant to the query by answering two questions:
        1. Does the retrieved context match the subject matter of the query?
        2. Could the retrieved context alone be used to give a complete answer to the query?
        Each question is worth 2 points; partial points are allowed.
        Give your feedback on both questions first, then end with a last line in exactly this form:
        [RESULT] <total score from 0 to 4>

        Query:
        {query}

        Retrieved context:
        {JoinPassages(contexts)}
        """;

    public const string PairwiseSystem = """
        You compare two answers, given by two AI assistants to the same user question, and decide which is better.
        Prefer the answer that follows the question's instructions and answers it more helpfully, relevantly,
        accurately and in appropriate depth. When a reference answer is given, use it to check accuracy.
        The order in which the answers appear must not influence you, nor their length, nor the assistants' names.
        Explain your comparison briefly, then end with your verdict in exactly one of these forms:
        [[A]] if answer A is better, [[B]] if answer B is better, [[C]] if they are equally good.
        """;

    public static string Pairwise(string query, string answerA, string answerB, string? reference) => $"""
        [User question]
        {query}

        [Reference answer]
        {reference ?? "(none)"}

        [Answer A]
        {answerA}

        [Answer B]
        {answerB}
        """;

    private static string JoinPassages(IReadOnlyList<string> contexts) =>
        string.Join("\n\n---\n\n", contexts);
}
