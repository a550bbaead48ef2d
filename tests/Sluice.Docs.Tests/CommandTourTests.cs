using System.Diagnostics;
using System.Text.Json;

namespace Sluice.Docs.Tests;

/// <summary>The README's <c>sluice</c> lines, run as written (the built command for <c>sluice</c>, the simulator on a
/// free port for 8080), in order: they must all exit 0 and leave every request's answer in the output.</summary>
public sealed class CommandTourTests
{
    [Fact]
    public async Task The_READMEs_sluice_commands_run_as_written()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        int heading = readme.IndexOf("## The command: `sluice run`", StringComparison.Ordinal);
        Assert.True(heading >= 0, "the README has no '## The command: `sluice run`' section");
        int open = readme.IndexOf("```bash\n", heading, StringComparison.Ordinal) + "```bash\n".Length;
        int close = readme.IndexOf("```", open, StringComparison.Ordinal);
        var lines = readme[open..close].Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("sluice ", StringComparison.Ordinal)).ToList();
        string simulate = Assert.Single(lines, l => l.StartsWith("sluice simulate ", StringComparison.Ordinal));
        var runs = lines.Where(l => l.StartsWith("sluice run ", StringComparison.Ordinal)).ToList();
        Assert.True(runs.Count >= 2, "the tour shows sluice run");

        string work = Directory.CreateTempSubdirectory("sluice-command-tour-").FullName;
        Directory.CreateDirectory(Path.Combine(work, "samples"));
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "samples", "batch"), Path.Combine(work, "samples", "batch"));
        using var simulator = Start(work, Words(simulate.TrimEnd('&').Trim()).Select(w => w == "8080" ? "0" : w).ToArray());
        try
        {
            string url = (await simulator.StandardOutput.ReadLineAsync())!.Trim();
            Assert.StartsWith("http://127.0.0.1:", url);
            foreach (string line in runs)
            {
                string[] words = Words(line).Select(w => w.Replace("http://127.0.0.1:8080", url, StringComparison.Ordinal)).ToArray();
                using var run = Start(work, words);
                string output = await run.StandardOutput.ReadToEndAsync() + await run.StandardError.ReadToEndAsync();
                await run.WaitForExitAsync();
                Assert.True(run.ExitCode == 0, $"'{line}' exited {run.ExitCode}:\n{output}");
            }

            var ids = File.ReadLines(Path.Combine(work, "results.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString())
                .ToList();
            Assert.Equal(File.ReadLines(Path.Combine(work, "samples", "batch", "requests.jsonl")).Count(), ids.Distinct().Count());
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
        finally
        {
            simulator.Kill();
            await simulator.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];

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
