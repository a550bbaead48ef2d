using System.Globalization;

namespace Sluice.Rag;

/// <summary>Turns a document's chunks and vectors into index records and writes a group's documents: the new
/// versions first, then the old versions' deletion.</summary>
internal sealed class DocumentWriter(VectorIndex index, IngestionCounters counters)
{
    public static IndexRecord[] Records(PreparedDocument prepared, ReadOnlySpan<float[]?> vectors)
    {
        var document = prepared.Document;
        string prefix = $"{document.Id}#{prepared.Version[..16]}#";
        var records = new IndexRecord[prepared.Chunks.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var chunk = prepared.Chunks[i];
            records[i] = new IndexRecord
            {
                Key = prefix + chunk.Position.ToString(CultureInfo.InvariantCulture),
                Text = chunk.Text,
                Vector = vectors[i]!,
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [IngestionPipeline.DocumentIdField] = document.Id,
                    [IngestionPipeline.SourceField] = chunk.Source,
                    [IngestionPipeline.TitleField] = chunk.Title,
                    [IngestionPipeline.PositionField] = chunk.Position.ToString(CultureInfo.InvariantCulture),
                    [IngestionPipeline.VersionField] = prepared.Version,
                },
            };
        }

        return records;
    }

    /// <summary>Writes the new versions of a group's documents in one transaction (each document whole or not at
    /// all), then deletes their old versions in a second one. A failure before the delete leaves every old version
    /// searchable; a failure of the delete leaves both versions, and the next run deletes the old one.</summary>
    public async Task WriteAsync(List<(PreparedDocument Document, IndexRecord[] Records)> ready, CancellationToken cancellationToken)
    {
        if (ready.Count == 0)
        {
            return;
        }

        try
        {
            await index.UpsertAsync(ready.SelectMany(r => r.Records), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (document, _) in ready)
            {
                counters.Fail(new IngestionError(document.Document.Source, document.Document.Id, IngestionStage.Write, IngestionRun.Describe(exception)));
            }

            return;
        }

        Interlocked.Add(ref counters.Written, ready.Count);
        Interlocked.Add(ref counters.ChunksWritten, ready.Sum(r => r.Records.Length));
        var stale = new List<string>();
        foreach (var (document, records) in ready)
        {
            if (document.OldKeys.Count > 0)
            {
                var fresh = new HashSet<string>(records.Select(r => r.Key), StringComparer.Ordinal);
                stale.AddRange(document.OldKeys.Where(key => !fresh.Contains(key)));
            }
        }

        if (stale.Count == 0)
        {
            return;
        }

        try
        {
            await index.DeleteAsync(stale, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (document, _) in ready.Where(r => r.Document.OldKeys.Count > 0))
            {
                counters.Fail(new IngestionError(document.Document.Source, document.Document.Id, IngestionStage.Write,
                    $"The new version is written; deleting the old one failed and is retried by the next run: {IngestionRun.Describe(exception)}"));
            }
        }
    }
}
