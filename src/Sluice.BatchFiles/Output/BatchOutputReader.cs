using System.Runtime.CompilerServices;
using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>Reads an OpenAI Batch API output or errors file (OpenAI's or Sluice's), streaming.</summary>
public static class BatchOutputReader
{
    /// <summary>Reads every line of the file at <paramref name="path"/>; blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The results in file order, lazily.</returns>
    /// <exception cref="BatchFileFormatException">A line is not an output line; the message names the file and line.</exception>
    public static async IAsyncEnumerable<BatchResult> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var lines = new JsonLineReader(JsonLineReader.OpenRead(path));
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            if (JsonLineReader.IsBlank(lines.Line.Span))
            {
                continue;
            }

            BatchResult result;
            try
            {
                result = BatchResult.Parse(lines.Line.Span);
            }
            catch (FormatException exception)
            {
                throw new BatchFileFormatException(path, lines.LineNumber, exception.Message, exception);
            }

            yield return result;
        }
    }
}
