using System.Text;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>
/// A <see cref="JudgePromptTemplate"/> checked against one evaluator's placeholders and split into literal text and
/// placeholders, ready to be rendered with an evaluation's inputs.
/// </summary>
internal sealed class JudgePrompt
{
    private const int LongestQuotedName = 40;

    private readonly Segment[] _system;
    private readonly Segment[] _user;

    private JudgePrompt(Segment[] system, Segment[] user)
    {
        _system = system;
        _user = user;
    }

    /// <summary>
    /// Checks <paramref name="template"/> for <paramref name="evaluatorName"/>: every placeholder must be one of
    /// <paramref name="required"/> or <paramref name="optional"/>, every brace balanced or doubled, and every required
    /// placeholder used at least once (in either prompt).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The template breaks one of those rules; the message says where.</exception>
    public static JudgePrompt Compile(
        JudgePromptTemplate template, string evaluatorName, IReadOnlyList<string> required, IReadOnlyList<string>? optional = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        optional ??= [];
        var allowed = required.Concat(optional).ToArray();
        var system = Parse(template.SystemPrompt, nameof(JudgePromptTemplate.SystemPrompt), evaluatorName, allowed);
        var user = Parse(template.UserPrompt, nameof(JudgePromptTemplate.UserPrompt), evaluatorName, allowed);
        foreach (var name in required)
        {
            if (!system.Concat(user).Any(segment => segment.Placeholder == name))
            {
                throw new ArgumentException(
                    $"{evaluatorName}'s prompt template does not use the required placeholder {{{name}}}; "
                    + $"its system or user prompt must contain {List(required)}.",
                    "template");
            }
        }

        return new JudgePrompt(system, user);
    }

    /// <summary>The question of rendering both prompts with <paramref name="values"/>, quoting <paramref name="contextUsed"/>.</summary>
    public JudgeQuestion Question(EvaluationContext? contextUsed, params ReadOnlySpan<(string Name, string Value)> values)
    {
        var (system, user) = Render(values);
        return new JudgeQuestion(system, user, contextUsed);
    }

    /// <summary>Renders both prompts with <paramref name="values"/>, which must name every placeholder the template allows.</summary>
    public (string System, string User) Render(params ReadOnlySpan<(string Name, string Value)> values) =>
        (Render(_system, values), Render(_user, values));

    private static string Render(Segment[] segments, ReadOnlySpan<(string Name, string Value)> values)
    {
        if (segments is [{ Placeholder: null } only])
        {
            return only.Text;
        }

        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            text.Append(segment.Placeholder is null ? segment.Text : ValueOf(segment.Placeholder, values));
        }

        return text.ToString();
    }

    private static string ValueOf(string name, ReadOnlySpan<(string Name, string Value)> values)
    {
        foreach (var (candidate, value) in values)
        {
            if (candidate == name)
            {
                return value;
            }
        }

        throw new InvalidOperationException($"No value was given for the placeholder {{{name}}}.");
    }

    private static Segment[] Parse(string template, string part, string evaluatorName, string[] allowed)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i += 2;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i += 2;
            }
            else if (c == '}')
            {
                throw Error(evaluatorName, $"a '}}' that closes no placeholder in its {part} at {Position(template, i)}; write }}}} for a literal brace.");
            }
            else if (c == '{')
            {
                var end = i + 1;
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
                {
                    end++;
                }

                if (end == i + 1 || end == template.Length || template[end] != '}')
                {
                    throw Error(
                        evaluatorName,
                        $"a '{{' that opens no placeholder in its {part} at {Position(template, i)}: expected a name such as "
                        + $"{{{allowed[0]}}} and a closing '}}'; write {{{{ for a literal brace.");
                }

                var name = template[(i + 1)..end];
                if (!allowed.Contains(name))
                {
                    throw Error(
                        evaluatorName,
                        $"an unknown placeholder {{{Quote(name)}}} in its {part} at {Position(template, i)}; "
                        + $"its placeholders are {List(allowed)} (write {{{{ and }}}} for literal braces).");
                }

                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), null));
                    literal.Clear();
                }

                segments.Add(new Segment(string.Empty, name));
                i = end + 1;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        if (literal.Length > 0 || segments.Count == 0)
        {
            segments.Add(new Segment(literal.ToString(), null));
        }

        return [.. segments];
    }

    private static ArgumentException Error(string evaluatorName, string problem) =>
        new($"{evaluatorName}'s prompt template has {problem}", "template");

    /// <summary>"line L, column C" (both from 1) of <paramref name="index"/>.</summary>
    private static string Position(string text, int index)
    {
        var lineStart = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        var line = 1 + text.AsSpan(0, index).Count('\n');
        return $"line {line}, column {index - lineStart + 1}";
    }

    private static string Quote(string name) =>
        name.Length <= LongestQuotedName ? name : name[..LongestQuotedName] + "…";

    private static string List(IReadOnlyList<string> names)
    {
        var braced = names.Select(name => "{" + name + "}").ToArray();
        return braced.Length switch
        {
            1 => braced[0],
            2 => $"{braced[0]} and {braced[1]}",
            _ => string.Join(", ", braced[..^1]) + " and " + braced[^1],
        };
    }

    /// <summary>Literal text, or a placeholder (then <see cref="Text"/> is empty).</summary>
    private readonly record struct Segment(string Text, string? Placeholder);
}
