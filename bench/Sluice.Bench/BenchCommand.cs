using System.Reflection.PortableExecutable;

namespace Sluice.Bench;

/// <summary>
/// The build of the <c>sluice</c> command that the suites which start it as a process run (<c>cli</c>,
/// <c>cluster-processes</c>): the <c>Sluice.Cli.dll</c> that <c>SLUICE_BENCH_CLI</c> names — the installed tool's is
/// <c>DIR/.store/sluice.cli/VERSION/sluice.cli.linux-x64/VERSION/tools/net10.0/linux-x64/Sluice.Cli.dll</c>, precompiled
/// ReadyToRun, what users run — else the IL build beside the harness. The suites print which one they ran.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Gets the command's dll.</summary>
    public static string Dll { get; } = Environment.GetEnvironmentVariable("SLUICE_BENCH_CLI") is { Length: > 0 } named
        ? Path.GetFullPath(named)
        : Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll");

    /// <summary>Checks that <see cref="Dll"/> exists and prints which build a suite runs.</summary>
    /// <param name="suite">The suite's name.</param>
    /// <exception cref="FileNotFoundException"><c>SLUICE_BENCH_CLI</c> names no file.</exception>
    public static void Announce(string suite)
    {
        if (!File.Exists(Dll))
        {
            throw new FileNotFoundException($"SLUICE_BENCH_CLI names no file: {Dll}");
        }

        BenchResult.Print(new { Suite = suite, Case = "command", Dll, ReadyToRun = IsReadyToRun(Dll) });
    }

    /// <summary>Whether the assembly carries precompiled code (a ReadyToRun image has a managed native header).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
