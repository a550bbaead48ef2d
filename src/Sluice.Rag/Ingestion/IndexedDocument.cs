namespace Sluice.Rag;

/// <summary>What the index holds for one document id at the start of a run: the keys of its chunks, their versions
/// (two after an interrupted upsert) and their sources.</summary>
internal sealed class IndexedDocument(string documentId)
{
    private readonly HashSet<string> _versions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sources = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    public string DocumentId { get; } = documentId;

    public IReadOnlyList<string> Keys => _keys;

    public IEnumerable<string> Sources => _sources;

    /// <summary>Whether the index holds exactly this version and no other.</summary>
    public bool IsOnly(string version) => _versions.Count == 1 && _versions.Contains(version);

    /// <summary>Groups the index's chunks by document id, in one pass over its metadata; records without a document id are not ingestion's.</summary>
    public static Dictionary<string, IndexedDocument> Snapshot(VectorIndex index)
    {
        var documents = new Dictionary<string, IndexedDocument>(StringComparer.Ordinal);
        foreach (var (key, metadata) in index.KeysWithMetadata())
        {
            if (!metadata.TryGetValue(IngestionPipeline.DocumentIdField, out string? id))
            {
                continue;
            }

            if (!documents.TryGetValue(id, out var document))
            {
                documents[id] = document = new IndexedDocument(id);
            }

            document._keys.Add(key);
            document._versions.Add(metadata.TryGetValue(IngestionPipeline.VersionField, out string? version) ? version : "");
            document._sources.Add(metadata.TryGetValue(IngestionPipeline.SourceField, out string? source) ? source : "");
        }

        return documents;
    }
}
