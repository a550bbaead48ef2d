namespace Sluice.Evaluation;

/// <summary>
/// The default judge prompts, as <see cref="JudgePromptTemplate"/>s. Modelled on LlamaIndex's evaluators (same
/// questions, scales and reply formats), worded afresh. They render byte-identical to the prompts used before
/// templates existed (tests compare them with a frozen copy), because cached verdicts and scripted replies match on them.
/// </summary>
internal static class JudgePrompts
{
    public const string System =
        "You are an impartial, careful evaluator of answers produced by AI systems. " +
        "Judge only what you are asked, and follow the requested reply format exactly.";

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

    public const string PairwiseSystem = """
        You compare two answers, given by two AI assistants to the same user question, and decide which is better.
        Prefer the answer that follows the question's instructions and answers it more helpfully, relevantly,
        accurately and in appropriate depth. When a reference answer is given, use it to check accuracy.
        The order in which the answers appear must not influence you, nor their length, nor the assistants' names.
        Explain your comparison briefly, then end with your verdict in exactly one of these forms:
        [[A]] if answer A is better, [[B]] if answer B is better, [[C]] if they are equally good.
        """;

    /// <summary>The default template of <see cref="FaithfulnessEvaluator"/>.</summary>
    public static JudgePromptTemplate FaithfulnessTemplate { get; } = new(System, """
        Decide whether the information below is supported by the context.
        Answer YES if the context supports the information, even when most of the context is about other things.
        Answer NO if the context does not support it.
        Write YES or NO on the first line, then briefly explain your answer.

        Information:
        {response}

        Context:
        {passages}
        """);

    /// <summary>The default template of <see cref="RelevancyEvaluator"/>.</summary>
    public static JudgePromptTemplate RelevancyTemplate { get; } = new(System, """
        Decide whether the response to the query is in line with the context information.
        Answer YES if the response answers the query and agrees with the context. Answer NO otherwise.
        Write YES or NO on the first line, then briefly explain your answer.

        Query:
        {query}

        Response:
        {response}

        Context:
        {passages}
        """);

    /// <summary>The default template of <see cref="CorrectnessEvaluator"/>.</summary>
    public static JudgePromptTemplate CorrectnessTemplate { get; } = new(CorrectnessSystem, """
        ## User query
        {query}

        ## Reference answer
        {reference}

        ## Generated answer
        {response}
        """);

    /// <summary>What <see cref="CorrectnessEvaluator"/> puts in <c>{reference}</c> without a reference answer.</summary>
    public const string CorrectnessNoReference = "(no reference answer was supplied)";

    /// <summary>The default template of <see cref="GuidelineEvaluator"/>.</summary>
    public static JudgePromptTemplate GuidelineTemplate { get; } = new(System, """
        Judge whether the response to the query follows every one of the guidelines.
        Reply with a JSON object only, in exactly this shape:
        {{"passing": true or false, "feedback": "what the response does well or should change, in one or two sentences"}}

        Query:
        {query}

        Response:
        {response}

        Guidelines:
        {guidelines}
        """);

    /// <summary>The default template of <see cref="AnswerRelevancyEvaluator"/>.</summary>
    public static JudgePromptTemplate AnswerRelevancyTemplate { get; } = new(System, """
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
        """);

    /// <summary>The default template of <see cref="ContextRelevancyEvaluator"/>.</summary>
    public static JudgePromptTemplate ContextRelevancyTemplate { get; } = new(System, """
        Judge whether the retrieved context is relevant to the query by answering two questions:
        1. Does the retrieved context match the subject matter of the query?
        2. Could the retrieved context alone be used to give a complete answer to the query?
        Each question is worth 2 points; partial points are allowed.
        Give your feedback on both questions first, then end with a last line in exactly this form:
        [RESULT] <total score from 0 to 4>

        Query:
        {query}

        Retrieved context:
        {passages}
        """);

    /// <summary>The default template of <see cref="PairwiseComparisonEvaluator"/>.</summary>
    public static JudgePromptTemplate PairwiseTemplate { get; } = new(PairwiseSystem, """
        [User question]
        {query}

        [Reference answer]
        {reference}

        [Answer A]
        {answer_a}

        [Answer B]
        {answer_b}
        """);

    /// <summary>What <see cref="PairwiseComparisonEvaluator"/> puts in <c>{reference}</c> without a reference answer.</summary>
    public const string PairwiseNoReference = "(none)";

    /// <summary>The passages as one text, separated by <c>---</c> lines: what <c>{passages}</c> renders as.</summary>
    public static string JoinPassages(IReadOnlyList<string> contexts) =>
        string.Join("\n\n---\n\n", contexts);
}
