using System.Diagnostics.CodeAnalysis;

namespace Sluice.BatchFiles;

/// <summary>
/// <c>run.lock</c> in a run directory, held open without sharing while a run uses the directory: one run per run
/// directory at a time (two would do the same work and interleave the journal). <c>sluice run</c> and
/// <c>sluice eval</c> take it; the operating system lets it go when the process ends, even after <c>kill -9</c>.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name in a run directory: <c>run.lock</c>.</summary>
    public const string FileName = "run.lock";

    private readonly FileStream _file;

    private RunLock(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    /// <summary>Gets the lock file's full path.</summary>
    public string Path { get; }

    /// <summary>The lock file of a run directory.</summary>
    /// <param name="directory">The run directory.</param>
    /// <returns><c>&lt;directory&gt;/run.lock</c>, full path.</returns>
    public static string PathIn(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, FileName));
    }

    /// <summary>Takes the lock of an existing run directory, unless another process (or another lock in this one) holds it.</summary>
    /// <param name="directory">The run directory; it must exist.</param>
    /// <param name="runLock">The lock, held until disposed; <see langword="null"/> when it is taken.</param>
    /// <returns>Whether the lock was taken.</returns>
    public static bool TryAcquire(string directory, [NotNullWhen(true)] out RunLock? runLock)
    {
        string path = PathIn(directory);
        try
        {
            runLock = new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
            return true;
        }
        catch (IOException)
        {
            runLock = null;
            return false;
        }
    }

    /// <summary>Lets the lock go.</summary>
    public void Dispose() => _file.Dispose();
}
