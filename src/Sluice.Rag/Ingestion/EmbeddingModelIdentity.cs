using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sluice.LocalEmbeddings;

namespace Sluice.Rag;

/// <summary>
/// What makes one embedding model's vectors differ from another's: its id, a hash of its weights, how it pools
/// token vectors and the longest input it reads. The embedding cache and the document versions are keyed by
/// <see cref="Key"/>, so a change of any part never reuses another model's vectors.
/// </summary>
public sealed record EmbeddingModelIdentity
{
    /// <summary>Creates an identity.</summary>
    /// <param name="modelId">The model's name (for a remote model, the provider's model id).</param>
    /// <param name="modelHash">A hash of the weights (for a remote model, a version or deployment tag you control).</param>
    /// <param name="pooling">How token vectors become one vector (for example <c>"mean"</c>; a remote model: <c>"provider"</c>).</param>
    /// <param name="maxTokens">The longest input in tokens; longer inputs are truncated by the model.</param>
    public EmbeddingModelIdentity(string modelId, string modelHash, string pooling, int maxTokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(modelHash);
        ArgumentNullException.ThrowIfNull(pooling);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        ModelId = modelId;
        ModelHash = modelHash;
        Pooling = pooling;
        MaxTokens = maxTokens;
        // Each field length-prefixed, so no two different identities can produce the same bytes.
        var text = new StringBuilder();
        foreach (string field in new[] { modelId, modelHash, pooling, maxTokens.ToString(CultureInfo.InvariantCulture) })
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field);
        }

        Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Gets the model's name.</summary>
    public string ModelId { get; }

    /// <summary>Gets the hash of the weights (or a version tag).</summary>
    public string ModelHash { get; }

    /// <summary>Gets the pooling.</summary>
    public string Pooling { get; }

    /// <summary>Gets the longest input in tokens.</summary>
    public int MaxTokens { get; }

    /// <summary>Gets the SHA-256 (64 lower-case hex digits) of the length-prefixed fields: the cache's model key.</summary>
    public string Key { get; }

    /// <summary>The identity of a local MiniLM generator: its model id, the SHA-256 of its ONNX file, mean pooling and
    /// its <see cref="LocalEmbeddingOptions.MaxTokens"/>.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>The identity.</returns>
    public static EmbeddingModelIdentity Of(LocalEmbeddingGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new EmbeddingModelIdentity(LocalEmbeddingGenerator.ModelId, generator.ModelHash, generator.Pooling, generator.Options.MaxTokens);
    }
}
