using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Rag;

/// <summary>A document's version: the SHA-256 of length-prefixed fields, so that no two different inputs share bytes.</summary>
internal static class DocumentVersion
{
    /// <summary>What every version of one pipeline shares: the chunking settings, the model and the version tag.</summary>
    public static string SettingsKey(EmbeddingModelIdentity model, IngestionOptions options) =>
        Hash(
            "chunk-tokens", options.Splitter.ChunkTokens.ToString(CultureInfo.InvariantCulture),
            "overlap-tokens", options.Splitter.OverlapTokens.ToString(CultureInfo.InvariantCulture),
            "splitter", "sentence-v1",
            "model", model.Key,
            "tag", options.VersionTag);

    public static string Of(string settingsKey, SourceDocument document) =>
        Hash(settingsKey, document.Source, document.Title, document.Text);

    private static string Hash(params string[] fields)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (string field in fields)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(field);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
            sha.AppendData(length);
            sha.AppendData(bytes);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
