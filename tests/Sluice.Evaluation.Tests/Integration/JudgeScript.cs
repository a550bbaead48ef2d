using Sluice.Simulator;

namespace Sluice.Evaluation.Tests;

/// <summary>
/// Cases whose response text encodes the verdict each judge must give (<c>FY</c>/<c>FN</c> faithfulness,
/// <c>RY</c>/<c>RN</c> relevancy, <c>C1</c>…<c>C5</c> correctness), and the simulator rules that give exactly those
/// verdicts. Each rule recognises its evaluator by the first words of the judge prompt.
/// </summary>
internal static class JudgeScript
{
    public static IReadOnlyList<ScriptedReply> Rules { get; } =
    [
        new(@"^Decide whether the information below[\s\S]*\bFY\b", "YES\nThe context supports the information."),
        new(@"^Decide whether the information below[\s\S]*\bFN\b", "NO\nThe context does not support it."),
        new(@"^Decide whether the response to the query[\s\S]*\bRY\b", "YES\nThe response answers the query."),
        new(@"^Decide whether the response to the query[\s\S]*\bRN\b", "NO\nThe response misses the point."),
        .. Enumerable.Range(1, 5).Select(c => new ScriptedReply($@"^## User query[\s\S]*\bC{c}\b", $"{c}\nScored {c}.")),
    ];

    public static bool Faithful(int i) => i % 3 != 0;

    public static bool Relevant(int i) => i % 4 != 1;

    public static int Correctness(int i) => (i % 5) + 1;

    public static string Query(int i) => $"Question number {i}?";

    public static string Response(int i) =>
        $"Answer {i}: {(Faithful(i) ? "FY" : "FN")} {(Relevant(i) ? "RY" : "RN")} C{Correctness(i)}";

    public static IReadOnlyList<string> Passages(int i) => [$"Passage {i}a.", $"Passage {i}b."];
}
