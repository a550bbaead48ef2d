using System.Runtime.CompilerServices;
using System.Text.Json;
using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>
/// Reads a run journal back, streaming. A torn last line (one without its line end: the process was killed while
/// writing it) is dropped, never an error; any other malformed line is a <see cref="BatchFileFormatException"/>
/// naming the journal and the line.
/// </summary>
public static class RunJournalReader
{
    /// <summary>Reads every complete record in journal order. A missing journal reads as empty.</summary>
    /// <param name="path">The journal file.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The records, lazily.</returns>
    /// <exception cref="BatchFileFormatException">A line other than a torn last one is malformed.</exception>
    public static async IAsyncEnumerable<JournalRecord> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            yield break;
        }

        using var lines = new JsonLineReader(JsonLineReader.OpenRead(path));
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!lines.Terminated)
            {
                yield break;
            }

            if (JsonLineReader.IsBlank(lines.Line.Span))
            {
                continue;
            }

            yield return Parse(path, lines.LineNumber, lines.Line.Span);
        }
    }

    /// <summary>Reads which items are done, keeping only their keys (not their lines) in memory.</summary>
    /// <param name="path">The journal file; a missing one means nothing is done.</param>
    /// <param name="options">Whether failed items count as done; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The done items.</returns>
    /// <exception cref="BatchFileFormatException">A line other than a torn last one is malformed.</exception>
    public static async Task<CompletedItems> ReadCompletedAsync(string path, JournalReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completed = new CompletedItems((options ?? new JournalReadOptions()).RetryErrors);
        await foreach (var record in ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            completed.Record(record.CustomId, record.Outcome);
        }

        return completed;
    }

    /// <summary>The length of the journal up to and including its last line end: what remains once a torn last line is dropped.</summary>
    internal static long CompleteLength(FileStream stream)
    {
        var buffer = new byte[64 * 1024];
        long end = stream.Length;
        while (end > 0)
        {
            int count = (int)Math.Min(buffer.Length, end);
            stream.Seek(end - count, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            int index = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (index >= 0)
            {
                return end - count + index + 1;
            }

            end -= count;
        }

        return 0;
    }

    private static JournalRecord Parse(string path, long lineNumber, ReadOnlySpan<byte> line)
    {
        string? customId = null;
        JournalOutcome? outcome = null;
        long inputLine = 0;
        ReadOnlyMemory<byte> outputLine = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(path, lineNumber, "expected one JSON object per line");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("custom_id"u8))
                {
                    reader.Read();
                    customId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("outcome"u8))
                {
                    reader.Read();
                    outcome = reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueTextEquals("succeeded"u8) ? JournalOutcome.Succeeded
                        : reader.ValueTextEquals("failed"u8) ? JournalOutcome.Failed
                        : null;
                }
                else if (reader.ValueTextEquals("input_line"u8))
                {
                    reader.Read();
                    inputLine = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : 0;
                }
                else if (reader.ValueTextEquals("line"u8))
                {
                    reader.Read();
                    int start = (int)reader.TokenStartIndex;
                    bool isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    outputLine = isObject ? line[start..(int)reader.BytesConsumed].ToArray() : default;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            throw new BatchFileFormatException(path, lineNumber, $"the journal record is not valid JSON ({exception.Message})", exception);
        }

        if (string.IsNullOrEmpty(customId))
        {
            throw Malformed(path, lineNumber, "missing 'custom_id': expected a non-empty string");
        }

        if (outcome is null)
        {
            throw Malformed(path, lineNumber, "missing 'outcome': expected \"succeeded\" or \"failed\"");
        }

        if (inputLine <= 0)
        {
            throw Malformed(path, lineNumber, "missing 'input_line': expected a positive line number");
        }

        if (outputLine.IsEmpty)
        {
            throw Malformed(path, lineNumber, "missing 'line': expected the output line as a JSON object");
        }

        return new JournalRecord(customId, outcome.Value, inputLine, outputLine);
    }

    private static BatchFileFormatException Malformed(string path, long lineNumber, string problem) =>
        new(path, lineNumber, problem);
}
