using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Runtime;

namespace Sluice.Cluster.Runs;

/// <summary>
/// <c>shards.json</c> in the run directory: the run's options, its shards (byte range, first line, current epoch,
/// holder, committed epoch, the silo that committed it and the counts its epoch reported, the invalid lines it leaves out, how many
/// times in a row its lease lapsed), the number of invalid lines listed in the errors file, the highest epoch granted and, once assembled, the final files' line counts. Written to a
/// temporary file, flushed to disk and renamed over the old one, so a reader sees the old table or the new, never half.
/// Lease expiry times are not in it: they are the coordinator's memory, renewed by the holders.
/// </summary>
internal static class ShardTableFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static async Task WriteAsync(ShardTable table, string path, CancellationToken cancellationToken = default)
    {
        var document = new Document
        {
            Options = table.Options,
            LastEpoch = table.LastEpoch,
            InvalidLines = table.InvalidLines,
            OutputLines = table.Assembled?.Output,
            ErrorLines = table.Assembled?.Errors,
            Shards = [.. Enumerable.Range(0, table.Count).Select(i =>
            {
                var range = table.Ranges[i];
                var (epoch, holder, committed) = table[i];
                return new ShardEntry
                {
                    Offset = range.Offset, Length = range.Length, FirstLine = range.FirstLine, Lines = range.Lines, Skipped = range.Skipped,
                    Epoch = epoch, Holder = holder?.ToParsableString(), Committed = committed,
                    CommittedBy = table.CommittedBy(i)?.ToParsableString(),
                    Counts = table.CommittedCounts(i),
                    Lapses = table.Lapses(i),
                };
            })],
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, document, Json, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads the table, or <see langword="null"/> when the run has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a shard table (the message names it).</exception>
    public static async Task<ShardTable?> ReadAsync(string run, string path, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Document? document;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            try
            {
                document = await JsonSerializer.DeserializeAsync<Document>(stream, Json, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not a shard table: {ex.Message}", ex);
            }
        }

        if (document?.Options is null || document.Shards is null)
        {
            throw new InvalidDataException($"{path} is not a shard table: it lacks options or shards.");
        }

        var table = new ShardTable(run, document.Options, [.. document.Shards.Select(s => new ShardRange(s.Offset, s.Length, s.FirstLine, s.Lines, s.Skipped))], document.LastEpoch)
        {
            InvalidLines = document.InvalidLines,
        };
        for (int i = 0; i < document.Shards.Length; i++)
        {
            var entry = document.Shards[i];
            table.Restore(i, entry.Epoch, Silo(entry.Holder), entry.Committed, Silo(entry.CommittedBy), entry.Counts, entry.Lapses, now);
        }

        if (document.OutputLines is { } output && document.ErrorLines is { } errors)
        {
            table.Assembled = (output, errors);
        }

        return table;

        static SiloAddress? Silo(string? address) => address is null ? null : SiloAddress.FromParsableString(address);
    }

    private sealed class Document
    {
        public int Version { get; set; } = 1;

        public ShardedRunOptions? Options { get; set; }

        public long LastEpoch { get; set; }

        public long InvalidLines { get; set; }

        public long? OutputLines { get; set; }

        public long? ErrorLines { get; set; }

        public ShardEntry[]? Shards { get; set; }
    }

    private sealed class ShardEntry
    {
        public long Offset { get; set; }

        public long Length { get; set; }

        public long FirstLine { get; set; }

        public int Lines { get; set; }

        public long[]? Skipped { get; set; }

        public long Epoch { get; set; }

        public string? Holder { get; set; }

        public long? Committed { get; set; }

        public string? CommittedBy { get; set; }

        public ShardedRunCounts? Counts { get; set; }

        /// <summary>How many times in a row the shard's lease lapsed (<see cref="ShardTable.Lapses"/>); 0 is not written.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public int Lapses { get; set; }
    }
}
