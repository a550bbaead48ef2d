namespace Sluice.Rag;

/// <summary>The stages of ingestion, in the order a document goes through them.</summary>
public enum IngestionStage
{
    /// <summary>Reading a file into documents.</summary>
    Read,

    /// <summary>Splitting a document into chunks.</summary>
    Split,

    /// <summary>Embedding chunks (the cache, then the model for what the cache lacks).</summary>
    Embed,

    /// <summary>Writing a document's chunks into the index and deleting its old version.</summary>
    Write,
}
