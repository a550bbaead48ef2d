using Sluice.AI;
using Sluice.Simulator;

namespace Sluice.Docs.Tests;

/// <summary>The README's tour compiles, runs, and is the code in <see cref="Tour"/>.</summary>
public sealed class TourTests
{
    [Fact]
    public void The_READMEs_tour_is_the_compiled_tour()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        int heading = readme.IndexOf("## A 30-second tour", StringComparison.Ordinal);
        Assert.True(heading >= 0, "the README has no '## A 30-second tour' section");
        int open = readme.IndexOf("```csharp\n", heading, StringComparison.Ordinal) + "```csharp\n".Length;
        int close = readme.IndexOf("```", open, StringComparison.Ordinal);
        var fromReadme = Lines(readme[open..close]).Where(l => !l.StartsWith("using ", StringComparison.Ordinal)).SkipWhile(string.IsNullOrEmpty).ToList();

        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tour.cs.txt"));
        int start = source.IndexOf("// <tour>", StringComparison.Ordinal) + "// <tour>".Length;
        int end = source.LastIndexOf("// </tour>", StringComparison.Ordinal);
        var fromCode = Dedent(Lines(source[start..end]).Skip(1).ToList());

        Assert.Equal(string.Join('\n', fromCode), string.Join('\n', fromReadme));
    }

    [Fact]
    public async Task The_tour_runs_against_the_simulator()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 5 });
        var tour = new Tour(host.OpenAIEndpoint, "sk-tour");
        var (results, answers, one) = await tour.RunAsync();

        Assert.Equal(3, tour.Saved.Count);
        Assert.Empty(tour.Failures);
        Assert.Equal(["faithfulness", "correctness"], results.Keys.Order().Reverse());
        Assert.All(results.Values, outcomes => Assert.Single(outcomes));
        Assert.Equal(3, answers.Count);
        Assert.False(string.IsNullOrEmpty(one));
        Assert.Equal(1, tour.GroupCount);
    }

    private static List<string> Lines(string text) => text.Replace("\r\n", "\n").TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToList();

    private static List<string> Dedent(List<string> lines)
    {
        int indent = lines.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return lines.Select(l => l.Length >= indent ? l[indent..] : l).ToList();
    }
}
