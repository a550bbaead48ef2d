using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary>The built <c>sluice</c> command as a child process: <c>dotnet Sluice.Cli.dll …</c>, output captured.</summary>
internal sealed class Cli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    private Cli(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_err)
            {
                return _err.ToString();
            }
        }
    }

    public static Cli Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        // Through env --default-signal: a test runner started in the background of a shell without job control
        // inherits SIGINT ignored, and a child would inherit that too and never see the Ctrl+C the tests send.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SLUICE_STATUS_SECONDS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var cli = new Cli(process);
        process.OutputDataReceived += (_, e) => Append(cli._out, e.Data);
        process.ErrorDataReceived += (_, e) => Append(cli._err, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs the command to its end and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        using var cli = Start(workingDirectory, environment, arguments);
        int code = await cli.WaitAsync(TimeSpan.FromMinutes(3));
        return (code, cli.Stdout, cli.Stderr);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sluice did not exit within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGINT, as Ctrl+C sends it.</summary>
    public void Interrupt() => Assert.Equal(0, SendSignal(_process.Id, 2));

    public void Dispose() => _process.Dispose();

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}

/// <summary>Input files and reading the results back.</summary>
internal static class Files
{
    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "sluice-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes <paramref name="count"/> chat requests with distinct bodies.</summary>
    public static string ChatRequests(string directory, int count, string name = "requests.jsonl", Func<int, string>? extraBody = null)
    {
        string path = Path.Combine(directory, name);
        using var writer = new StreamWriter(path);
        for (int i = 0; i < count; i++)
        {
            string extra = extraBody?.Invoke(i) ?? string.Empty;
            writer.WriteLine($$$"""{"custom_id": "item-{{{i}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Write a line about item {{{i}}}."}], "max_tokens": 24{{{extra}}}}}""");
        }

        return path;
    }

    /// <summary>The custom_ids of an output or errors file, in file order (a missing file reads as empty).</summary>
    public static List<string> CustomIds(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        return File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("custom_id").GetString()!).ToList();
    }

    public static int JournalLines(string journal) =>
        File.Exists(journal) ? File.ReadAllBytes(journal).Count(b => b == (byte)'\n') : 0;
}
