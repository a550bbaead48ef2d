using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sluice.Simulator.Content;

/// <summary>The compiled rules of <see cref="SimulatorOptions.Rules"/> followed by those of <see cref="SimulatorOptions.RulesFile"/>.</summary>
internal sealed class ScriptedReplies
{
    private readonly (Regex Pattern, string Reply)[] _rules;

    private ScriptedReplies((Regex, string)[] rules) => _rules = rules;

    public static ScriptedReplies Empty { get; } = new([]);

    public int Count => _rules.Length;

    /// <summary>Compiles the rules; a bad file or pattern throws an exception naming the file, the rule index and the problem.</summary>
    public static ScriptedReplies Load(SimulatorOptions options)
    {
        var rules = new List<(Regex, string)>();
        for (int i = 0; i < options.Rules.Count; i++)
            rules.Add(Compile(options.Rules[i], $"Rules[{i}]"));
        if (options.RulesFile is { } path)
        {
            List<ScriptedReply>? fromFile;
            try
            {
                fromFile = JsonSerializer.Deserialize(File.ReadAllText(path), SimulatorJsonContext.Default.ListScriptedReply);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Rules file '{path}' (line {ex.LineNumber + 1}): expected a JSON array of {{\"pattern\": \"regex\", \"reply\": \"text\"}}: {ex.Message}", ex);
            }
            catch (IOException ex)
            {
                throw new InvalidDataException($"Rules file '{path}' cannot be read: {ex.Message}", ex);
            }
            if (fromFile is null)
                throw new InvalidDataException($"Rules file '{path}': expected a JSON array of {{\"pattern\": \"regex\", \"reply\": \"text\"}}, got null.");
            for (int i = 0; i < fromFile.Count; i++)
                rules.Add(Compile(fromFile[i], $"Rules file '{path}' rule {i}"));
        }
        return rules.Count == 0 ? Empty : new ScriptedReplies(rules.ToArray());
    }

    public string? Match(string lastUserMessage)
    {
        foreach (var (pattern, reply) in _rules)
        {
            if (pattern.IsMatch(lastUserMessage))
                return reply;
        }
        return null;
    }

    private static (Regex, string) Compile(ScriptedReply? rule, string where)
    {
        if (rule?.Pattern is null || rule.Reply is null)
            throw new InvalidDataException($"{where}: both \"pattern\" and \"reply\" are required.");
        try
        {
            return (new Regex(rule.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), rule.Reply);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{where}: invalid regular expression '{rule.Pattern}': {ex.Message}", ex);
        }
    }
}
