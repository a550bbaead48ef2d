using System.Diagnostics;
using System.Text.Json;

namespace Sluice.Docs.Tests;

/// <summary>The README's <c>sluice</c> lines, run as written (the built command for <c>sluice</c>, the simulator on a
/// free port for 8080), in order: they must all exit 0, leave every request's answer in the output, write the report,
/// and find the sample question's document.</summary>
public sealed class CommandTourTests
{
    [Fact]
    public async Task The_READMEs_sluice_commands_run_as_written()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        const string Heading = "## The command in 30 seconds";
        int heading = readme.IndexOf(Heading, StringComparison.Ordinal);
        Assert.True(heading >= 0, $"the README has no '{Heading}' section");
        int open = readme.IndexOf("```bash\n", heading, StringComparison.Ordinal) + "```bash\n".Length;
        int close = readme.IndexOf("```", open, StringComparison.Ordinal);
        var lines = readme[open..close].Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("sluice ", StringComparison.Ordinal)).ToList();
        string simulate = Assert.Single(lines, l => l.StartsWith("sluice simulate ", StringComparison.Ordinal));
        var commands = lines.Where(l => l != simulate).ToList();
        foreach (string verb in new[] { "run", "report", "ingest", "query" })
        {
            Assert.True(commands.Any(l => l.StartsWith($"sluice {verb} ", StringComparison.Ordinal)), $"the tour shows sluice {verb}");
        }

        string work = Directory.CreateTempSubdirectory("sluice-command-tour-").FullName;
        Directory.CreateDirectory(Path.Combine(work, "samples", "rag"));
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "samples", "batch"), Path.Combine(work, "samples", "batch"));
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "samples", "rag", "corpus"), Path.Combine(work, "samples", "rag", "corpus"));
        using var simulator = Start(work, Words(simulate.TrimEnd('&').Trim()).Select(w => w == "8080" ? "0" : w).ToArray());
        var printed = new Dictionary<string, string>();
        try
        {
            string url = (await simulator.StandardOutput.ReadLineAsync())!.Trim();
            Assert.StartsWith("http://127.0.0.1:", url);
            foreach (string line in commands)
            {
                string[] words = Words(line).Select(w => w.Replace("http://127.0.0.1:8080", url, StringComparison.Ordinal)).ToArray();
                using var command = Start(work, words);
                Task<string> stdout = command.StandardOutput.ReadToEndAsync();
                Task<string> stderr = command.StandardError.ReadToEndAsync();
                await command.WaitForExitAsync();
                string output = await stdout + await stderr;
                Assert.True(command.ExitCode == 0, $"'{line}' exited {command.ExitCode}:\n{output}");
                printed[words[0]] = await stdout;
            }

            var ids = File.ReadLines(Path.Combine(work, "results.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString())
                .ToList();
            Assert.Equal(File.ReadLines(Path.Combine(work, "samples", "batch", "requests.jsonl")).Count(), ids.Distinct().Count());
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.True(new FileInfo(Path.Combine(work, "results.jsonl.sluice", "report.html")).Length > 10_000, "the report was written");
            Assert.Contains("history-founding", printed["query"], StringComparison.Ordinal);
        }
        finally
        {
            simulator.Kill();
            await simulator.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The words of a shell line after <c>sluice</c>: split on spaces, a double-quoted word kept whole.</summary>
    private static string[] Words(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        Assert.False(quoted, $"unbalanced quotes in '{line}'");
        return words.Skip(1).ToArray();
    }

    private static Process Start(string directory, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
