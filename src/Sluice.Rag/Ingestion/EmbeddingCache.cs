using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Sluice.Rag;

/// <summary>
/// Vectors already computed, in one SQLite file: the key is the model's <see cref="EmbeddingModelIdentity.Key"/> and
/// the SHA-256 of one exact text (each text hashed on its own, never texts joined), the value only the vector — no
/// document id, no metadata — so two documents with the same text share a vector and keep their own ids and chunks.
/// </summary>
/// <remarks>Thread-safe: concurrent workers share one instance; every <see cref="Put"/> is one committed transaction
/// before it returns, so no worker's writes are lost. Two processes may share the file (SQLite locking, WAL journal).</remarks>
public sealed class EmbeddingCache : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private long _hits;
    private long _misses;

    private EmbeddingCache(string path)
    {
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_hash BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_hash)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Gets the file's path.</summary>
    public string Path { get; }

    /// <summary>Gets how many looked-up texts were found since this instance was opened.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many looked-up texts were missing since this instance was opened.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Opens (or creates) the cache file at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <returns>The open cache.</returns>
    public static EmbeddingCache Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new EmbeddingCache(path);
    }

    /// <summary>Gets the number of vectors stored, for every model.</summary>
    /// <returns>The count.</returns>
    public long Count()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM vectors";
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Looks up the vectors of <paramref name="texts"/> for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="texts">The texts.</param>
    /// <returns>One entry per text, in order: the vector, or <see langword="null"/> when the cache has none.</returns>
    public float[]?[] Get(EmbeddingModelIdentity model, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[]?[texts.Count];
        if (texts.Count == 0)
        {
            return result;
        }

        var hashes = texts.Select(Hash).ToArray();
        int found = 0;
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT vector FROM vectors WHERE model = $model AND text_hash = $hash";
            command.Parameters.AddWithValue("$model", model.Key);
            var hash = command.Parameters.Add("$hash", SqliteType.Blob);
            command.Prepare();
            for (int i = 0; i < hashes.Length; i++)
            {
                hash.Value = hashes[i];
                if (command.ExecuteScalar() is byte[] blob)
                {
                    result[i] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
                    found++;
                }
            }
        }

        Interlocked.Add(ref _hits, found);
        Interlocked.Add(ref _misses, texts.Count - found);
        return result;
    }

    /// <summary>Stores vectors in one transaction, committed before this returns; an existing entry is replaced.</summary>
    /// <param name="model">The model that made them.</param>
    /// <param name="entries">Each text with its vector.</param>
    public void Put(EmbeddingModelIdentity model, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<float>>> entries)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var rows = entries.Select(e => (Hash: Hash(e.Key), Vector: MemoryMarshal.AsBytes(e.Value.Span).ToArray())).ToArray();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO vectors (model, text_hash, vector) VALUES ($model, $hash, $vector)";
            command.Parameters.AddWithValue("$model", model.Key);
            var hash = command.Parameters.Add("$hash", SqliteType.Blob);
            var vector = command.Parameters.Add("$vector", SqliteType.Blob);
            command.Prepare();
            foreach (var row in rows)
            {
                hash.Value = row.Hash;
                vector.Value = row.Vector;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    /// <summary>The SHA-256 of the text's UTF-8 bytes, prefixed with their length: one text, one key.</summary>
    internal static byte[] Hash(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
        return sha.GetHashAndReset();
    }
}
