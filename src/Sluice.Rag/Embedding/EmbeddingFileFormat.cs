namespace Sluice.Rag;

/// <summary>How <see cref="EmbeddingFileWriter"/> stores vectors.</summary>
public enum EmbeddingFileFormat
{
    /// <summary>One JSON object per line: <c>{"id": "…", "vector": [0.1, …]}</c>, in input order.</summary>
    JsonLines,

    /// <summary>A NumPy <c>.npy</c> file (format 1.0) holding one little-endian float32 matrix of shape
    /// (records, dimensions), row i the vector of the i-th id in a sidecar text file (one id per line).</summary>
    Npy,
}
